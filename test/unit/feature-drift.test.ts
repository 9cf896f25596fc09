import { strict as assert } from 'node:assert';
import { gaussian, rng } from '../builders/data-tools.js';
import { checkPlugin, fitPlugin } from '../../plugins/runner.js';
import { tempFolder } from '../helpers/temp.js';
import { featureDrift } from '../../plugins/feature-drift/plugin.js';

describe('the feature-drift checker', () => {
  const tmp = tempFolder('fd');

  /** n rows of: x ~ N(shift, 1), z ~ N(0, 1), colour from `colours`, label 1 with probability p1. */
  const csv = (name: string, n: number, seed: number, o: { shift?: number; colours?: string[]; p1?: number } = {}) => {
    const g = gaussian(seed);
    const r = rng(seed + 100);
    const colours = o.colours ?? ['red', 'blue'];
    const lines = Array.from({ length: n }, () => {
      const colour = colours[Math.floor(r() * colours.length)]!;
      return `${(g() + (o.shift ?? 0)).toFixed(4)},${g().toFixed(4)},${colour},${r() < (o.p1 ?? 0.7) ? 1 : 0}`;
    });
    return tmp.file(name, `x,z,colour,label\n${lines.join('\n')}\n`);
  };
  const cfg = { labelColumn: 'label' };

  it('stays quiet when reference and batch come from the same distribution', async () => {
    const state = await fitPlugin(featureDrift, await csv('ref.csv', 1000, 1), cfg);
    const report = await checkPlugin(featureDrift, { batch: await csv('same.csv', 1000, 2), state }, cfg);
    assert.equal(report.alarm, false, JSON.stringify(report.details.tests));
    assert.deepEqual(report.perFeature!.map((f) => f.test).sort(), [
      'chi-square',
      'chi-square-homogeneity',
      'ks',
      'ks',
      'missing-share',
      'missing-share',
      'missing-share',
    ]);
  });

  it('flags only the shifted numeric feature, by KS after the Holm correction, with its PSI', async () => {
    const state = await fitPlugin(featureDrift, await csv('ref2.csv', 1000, 3), cfg);
    const report = await checkPlugin(
      featureDrift,
      { batch: await csv('shift.csv', 1000, 4, { shift: 0.5 }), state },
      cfg,
    );
    assert.equal(report.alarm, true);
    assert.deepEqual(report.details.driftedFeatures, ['x']);
    const x = report.perFeature!.find((f) => f.name === 'x')!;
    assert.equal(x.test, 'ks');
    assert.ok(x.pValue! < 1e-6 && x.score > 0.1, `PSI ${x.score}`);
  });

  it('reports a category level the reference never had ({red, blue} vs a batch with black)', async () => {
    const state = await fitPlugin(featureDrift, await csv('ref3.csv', 500, 5), cfg);
    const report = await checkPlugin(
      featureDrift,
      { batch: await csv('black.csv', 500, 6, { colours: ['red', 'blue', 'black'] }), state },
      cfg,
    );
    assert.equal(report.alarm, true);
    assert.deepEqual(report.details.newLevels, { colour: ['black'] });
  });

  it('detects a class-balance shift from 30/70 to 60/40 on the label column', async () => {
    const state = await fitPlugin(featureDrift, await csv('ref4.csv', 400, 7, { p1: 0.7 }), cfg);
    const report = await checkPlugin(
      featureDrift,
      { batch: await csv('balance.csv', 400, 8, { p1: 0.4 }), state },
      cfg,
    );
    const balance = report.details.classBalance as {
      test: string;
      pValue: number;
      reference: Record<string, number>;
      batch: Record<string, number>;
    };
    assert.equal(report.alarm, true);
    assert.equal(balance.test, 'chi-square-homogeneity');
    assert.ok(balance.pValue < 1e-6);
    assert.ok(
      Math.abs(balance.reference['1']! - 0.7) < 0.08 && Math.abs(balance.batch['1']! - 0.4) < 0.08,
      JSON.stringify(balance),
    );
    const known = await checkPlugin(
      featureDrift,
      { batch: await csv('balance2.csv', 400, 9, { p1: 0.4 }), state },
      { ...cfg, classProportions: { '0': 0.3, '1': 0.7 } },
    );
    assert.equal((known.details.classBalance as { test: string }).test, 'chi-square-gof');
  });

  it('corrects for multiple tests with Holm or BH as configured', async () => {
    const state = await fitPlugin(featureDrift, await csv('ref5.csv', 300, 10), cfg);
    const batch = await csv('b5.csv', 300, 11);
    const holm = await checkPlugin(featureDrift, { batch, state }, cfg);
    const bh = await checkPlugin(featureDrift, { batch, state }, { ...cfg, correction: 'bh' });
    assert.match(holm.details.method as string, /Holm over the \d+ of 7 tests that can reach significance \(Tarone\)/);
    assert.match(bh.details.method as string, /Benjamini-Hochberg/);
    const raw = holm.details.tests as { pValue: number; adjustedPValue: number }[];
    assert.ok(raw.every((t) => t.adjustedPValue >= t.pValue));
  });

  it('reports a column that is entirely missing in the batch, or absent from its header, as a finding, not a KS of 0 with p = 1', async () => {
    const state = await fitPlugin(featureDrift, await csv('ref6.csv', 500, 12), cfg);
    const r = rng(3);
    const blanks = Array.from({ length: 300 }, () => `,${r().toFixed(4)},red,${r() < 0.7 ? 1 : 0}`);
    const empty = await checkPlugin(
      featureDrift,
      { batch: await tmp.file('blank.csv', `x,z,colour,label\n${blanks.join('\n')}\n`), state },
      cfg,
    );
    assert.equal(empty.alarm, true);
    const x = (empty.details.tests as { name: string; test: string; adjustedPValue: number }[]).find(
      (t) => t.name === 'x' && t.test === 'missing-share',
    )!;
    assert.ok(x.adjustedPValue < 1e-30, `missing-share p = ${x.adjustedPValue}`);
    const noX = Array.from({ length: 300 }, () => `${r().toFixed(4)},red,${r() < 0.7 ? 1 : 0}`);
    const absent = await checkPlugin(
      featureDrift,
      { batch: await tmp.file('nox.csv', `z,colour,label\n${noX.join('\n')}\n`), state },
      cfg,
    );
    assert.equal(absent.alarm, true);
    assert.deepEqual(absent.details.missingColumns, ['x']);
  });

  it('reports strong shifts with p-values far below 1e-16 (survival functions) instead of 1 − cdf = 0', async () => {
    const state = await fitPlugin(featureDrift, await csv('ref7.csv', 2000, 13), cfg);
    const report = await checkPlugin(
      featureDrift,
      { batch: await csv('far.csv', 2000, 14, { shift: 0.6, p1: 0.2 }), state },
      cfg,
    );
    const tests = report.details.tests as { name: string; test: string; pValue: number }[];
    const ks = tests.find((t) => t.test === 'ks' && t.name === 'x')!;
    assert.ok(ks.pValue > 0 && ks.pValue < 1e-20, `KS p = ${ks.pValue}`);
    const balance = tests.find((t) => t.name === 'label')!;
    assert.ok(balance.pValue > 0 && balance.pValue < 1e-27, `chi-square p = ${balance.pValue}`);
  });

  it('rejects a column name in columns or ignore that the reference does not have', async () => {
    const ref = await csv('ref8.csv', 100, 15);
    await assert.rejects(
      fitPlugin(featureDrift, ref, { ...cfg, ignore: ['y'] }),
      /names column\(s\) "y" that .* does not have; its columns are x, z, colour, label/,
    );
    const state = await fitPlugin(featureDrift, ref, { ...cfg, ignore: ['z'] });
    assert.deepEqual((state as { columns: string[] }).columns, ['x', 'colour']);
  });
});
