import { strict as assert } from 'node:assert';
import { gaussian } from '../builders/data-tools.js';
import { checkPlugin, fitPlugin } from '../../plugins/runner.js';
import { tempFolder } from '../helpers/temp.js';
import { integrity } from '../../plugins/integrity/plugin.js';

interface Violation {
  rule: string;
  column?: string;
  count: number;
}

describe('the integrity checker', () => {
  const tmp = tempFolder('integrity');
  const g = gaussian(1);
  const row = () => `${(10 + g()).toFixed(3)},${(g() * 100).toFixed(2)},${g() > 0 ? 'a' : 'b'}`;
  const lines = (n: number) => Array.from({ length: n }, row);
  let state: unknown;

  const violations = async (text: string, config = {}) => {
    const report = await checkPlugin(
      integrity,
      { batch: await tmp.file(`b-${Math.random()}.csv`, text), state },
      config,
    );
    return { report, v: report.details.violations as Violation[] };
  };

  before(async () => {
    state = await fitPlugin(integrity, await tmp.file('ref.csv', `temp,flow,kind\n${lines(500).join('\n')}\n`), {});
  });

  it('passes a well-formed batch like the reference', async () => {
    const { report, v } = await violations(`temp,flow,kind\n${lines(300).join('\n')}\n`);
    assert.deepEqual(v, []);
    assert.equal(report.alarm, false);
    assert.equal(report.score, 0);
  });

  it('reports missing and unexpected columns and text in a numeric column', async () => {
    const { v } = await violations(
      `temp,kind,extra\n${lines(20)
        .map((l, i) => {
          const [t, , k] = l.split(',');
          return `${i === 3 ? 'hot' : t},${k},1`;
        })
        .join('\n')}\n`,
    );
    assert.deepEqual(
      v.map((x) => [x.rule, x.column ?? null]),
      [
        ['schema', 'flow'],
        ['schema', null],
        ['type', 'temp'],
      ],
    );
  });

  it('reports NaN and Inf, and missing values beyond the reference share, without throwing', async () => {
    const body = lines(100).map((l, i) =>
      i < 3 ? `nan,${l.split(',')[1]},a` : i === 3 ? `inf,1,a` : i < 10 ? `,1,a` : l,
    );
    const { report, v } = await violations(`temp,flow,kind\n${body.join('\n')}\n`);
    assert.equal(report.alarm, true);
    const nonFinite = v.find((x) => x.rule === 'non-finite')!;
    assert.equal(nonFinite.column, 'temp');
    assert.equal(nonFinite.count, 4);
    assert.equal(v.find((x) => x.rule === 'missing')?.count, 6);
  });

  it('reports values far outside the ranges learned at fit, and many just outside them', async () => {
    const far = lines(200).map((l, i) => (i === 0 ? `1000,${l.split(',')[1]},a` : l));
    assert.deepEqual(
      (await violations(`temp,flow,kind\n${far.join('\n')}\n`)).v.map((x) => [x.rule, x.column, x.count]),
      [['range', 'temp', 1]],
    );
    const creep = lines(200).map((l) => `${(Number(l.split(',')[0]) + 3).toFixed(3)},${l.split(',')[1]},a`);
    const { v } = await violations(`temp,flow,kind\n${creep.join('\n')}\n`);
    assert.ok(v.some((x) => x.rule === 'range' && x.column === 'temp' && x.count > 20));
  });

  it('reports duplicate rows beyond the reference share', async () => {
    const body = lines(100);
    const { v } = await violations(`temp,flow,kind\n${[...body, ...body.slice(0, 10)].join('\n')}\n`);
    assert.deepEqual(
      v.map((x) => [x.rule, x.count]),
      [['duplicates', 10]],
    );
  });

  it('rejects a ragged CSV with the line number', async () => {
    await assert.rejects(violations('temp,flow,kind\n1,2,a\n3,4\n'), /line 3/);
  });
});
