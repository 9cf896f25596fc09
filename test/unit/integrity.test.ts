import { strict as assert } from 'node:assert';
import { gaussian } from '../builders/data-tools.js';
import { checkPlugin, fitPlugin } from '../../plugins/runner.js';
import { tempFolder } from '../helpers/temp.js';
import { integrity } from '../../plugins/integrity/plugin.js';

interface Violation {
  rule: string;
  column?: string;
  count: number;
  message: string;
}

describe('the integrity checker', () => {
  const tmp = tempFolder('integrity');
  const g = gaussian(1);
  const row = () => `${(10 + g()).toFixed(3)},${(g() * 100).toFixed(2)},${g() > 0 ? 'a' : 'b'}`;
  const lines = (n: number) => Array.from({ length: n }, row);
  let state: unknown;

  const violations = async (text: string, config: Record<string, unknown> = {}) => {
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

  it('reports a missing and an unexpected column as findings, and text in a numeric column as a rise of its non-numeric share', async () => {
    const { v } = await violations(
      `temp,kind,extra\n${lines(20)
        .map((l, i) => {
          const [t, , k] = l.split(',');
          return `${i < 12 ? 'hot' : t},${k},1`;
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
    assert.match(v[0]!.message, /column "flow" is missing from the batch/);
  });

  it('reports NaN and Inf, and missing values, when their share rises beyond chance (Fisher), with the p-value after Holm', async () => {
    const body = lines(100).map((l, i) =>
      i < 3 ? `nan,${l.split(',')[1]},a` : i === 3 ? `inf,1,a` : i < 10 ? `,1,a` : l,
    );
    const { report, v } = await violations(`temp,flow,kind\n${body.join('\n')}\n`);
    assert.equal(report.alarm, true);
    assert.equal(report.status, 'alarm');
    const nonFinite = v.find((x) => x.rule === 'non-finite')!;
    assert.equal(nonFinite.column, 'temp');
    assert.equal(nonFinite.count, 4);
    assert.equal(v.find((x) => x.rule === 'missing')?.count, 6);
    assert.match(String(report.details.method), /Holm over those \d+ shares alpha = 0.01/);
  });

  it('calls one NaN in a batch of 100 chance (the reference may hold them too), unless the column is asserted finite', async () => {
    const body = lines(100).map((l, i) => (i === 0 ? `nan,${l.split(',')[1]},a` : l));
    const text = `temp,flow,kind\n${body.join('\n')}\n`;
    assert.equal((await violations(text)).report.alarm, false);
    const asserted = await violations(text, { assertions: { temp: { finite: true } } });
    assert.deepEqual(
      asserted.v.map((x) => [x.rule, x.column, x.count]),
      [['assertion', 'temp', 1]],
    );
  });

  it('tests values outside the reference range by their number (exceedance test), and a single wild value only under a max assertion', async () => {
    const far = lines(200).map((l, i) => (i === 0 ? `1000,${l.split(',')[1]},a` : l));
    const farText = `temp,flow,kind\n${far.join('\n')}\n`;
    assert.deepEqual((await violations(farText)).v, [], 'one value outside [min, max] of 500 is what chance gives');
    assert.deepEqual(
      (await violations(farText, { assertions: { temp: { max: 100 } } })).v.map((x) => [x.rule, x.column, x.count]),
      [['assertion', 'temp', 1]],
    );
    const creep = lines(200).map((l) => `${(Number(l.split(',')[0]) + 3).toFixed(3)},${l.split(',')[1]},a`);
    const { v } = await violations(`temp,flow,kind\n${creep.join('\n')}\n`);
    assert.ok(v.some((x) => x.rule === 'range' && x.column === 'temp' && x.count > 20));
  });

  it('reports duplicate rows only when a maximum share is asserted', async () => {
    const body = lines(100);
    const text = `temp,flow,kind\n${[...body, ...body.slice(0, 10)].join('\n')}\n`;
    assert.deepEqual((await violations(text)).v, []);
    const { v } = await violations(text, { maxDuplicateShare: 0.05 });
    assert.deepEqual(
      v.map((x) => [x.rule, x.count]),
      [['duplicates', 10]],
    );
  });

  it('checks only the selected columns, and rejects a column name the reference does not have', async () => {
    const ref = await tmp.file('ref-cols.csv', `temp,flow,kind\n${lines(100).join('\n')}\n`);
    const s = await fitPlugin(integrity, ref, { ignore: ['flow'] });
    assert.deepEqual((s as { columns: string[] }).columns, ['temp', 'kind']);
    await assert.rejects(
      fitPlugin(integrity, ref, { columns: ['temp', 'pressure'] }),
      /"pressure" that .* does not have; its columns are temp, flow, kind/,
    );
    await assert.rejects(
      fitPlugin(integrity, ref, { assertions: { pressure: { required: true } } }),
      /assertions for column\(s\) pressure/,
    );
  });

  it('rejects a ragged CSV with the line number', async () => {
    await assert.rejects(violations('temp,flow,kind\n1,2,a\n3,4\n'), /line 3/);
  });
});
