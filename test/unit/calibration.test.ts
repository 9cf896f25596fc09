import { strict as assert } from 'node:assert';
import { quietContext, type CheckerPlugin } from '../../plugins/api.js';
import { parseConfig } from '../../plugins/runner.js';
import featureDrift from '../../plugins/feature-drift/index.js';
import integrity from '../../plugins/integrity/index.js';
import mmdDrift from '../../plugins/mmd-drift/index.js';
import { gaussian, rng } from '../builders/data-tools.js';
import { memoryDataset } from '../builders/memory-dataset.js';

/**
 * The false-alarm rate of each statistical checker on i.i.d. data built to break naive rules: a
 * column that is almost always 0 (constant in most references), a sparse one (95% zeros, like an
 * image border), a heavy-tailed one (Cauchy), small integer counts, a categorical column with rare
 * levels, and missing cells at a low rate. Reference and batch are drawn from the same generator,
 * so every alarm is a false one; at alpha = 0.05 each checker must stay within binomial slack.
 */
function generator(seed: number) {
  const g = gaussian(seed);
  const r = rng(seed + 1);
  const poisson = (mean: number) => {
    let k = 0;
    for (let p = Math.exp(-mean), s = p, u = r(); u > s; k++) {
      p *= mean / (k + 1);
      s += p;
    }
    return k;
  };
  const levels = ['a', 'b', 'c', 'rare1', 'rare2'];
  const weights = [0.5, 0.3, 0.19, 0.005, 0.005];
  const level = () => {
    let u = r();
    for (let i = 0; i < levels.length; i++) if ((u -= weights[i]!) < 0) return levels[i]!;
    return 'a';
  };
  return (rows: number, label: string) => {
    const cols = {
      almostConstant: new Float64Array(rows),
      sparse: new Float64Array(rows),
      cauchy: new Float64Array(rows),
      counts: new Float64Array(rows),
      gaussian: new Float64Array(rows),
    };
    const cat: (string | null)[] = [];
    for (let i = 0; i < rows; i++) {
      cols.almostConstant[i] = r() < 0.002 ? 1 + Math.floor(r() * 5) : 0;
      cols.sparse[i] = r() < 0.05 ? Math.floor(r() * 16) : 0;
      cols.cauchy[i] = Math.tan(Math.PI * (r() - 0.5));
      cols.counts[i] = poisson(1.5);
      cols.gaussian[i] = r() < 0.01 ? Number.NaN : g();
      cat.push(r() < 0.01 ? null : level());
    }
    return memoryDataset(label, { numeric: cols, categorical: { kind: cat } });
  };
}

async function falseAlarms(plugin: CheckerPlugin, config: unknown, m: number, n: number, trials: number, seed: number) {
  const cfg = parseConfig(plugin, config);
  let alarms = 0;
  let insufficient = 0;
  for (let t = 0; t < trials; t++) {
    const make = generator(seed + 1000 * t);
    const reference = make(m, 'reference');
    const state = await plugin.fit!(reference, cfg, quietContext());
    const report = await plugin.check(make(n, 'batch'), state, cfg, quietContext(reference));
    if (report.alarm) alarms++;
    if (report.status === 'insufficient-data') insufficient++;
  }
  return { alarms, insufficient };
}

describe('false alarms of the built-in checkers on i.i.d. data with awkward columns', function () {
  this.timeout(300_000);
  // Binomial(100, 0.05) exceeds 11 with probability 0.005, Binomial(40, 0.05) exceeds 6 with 0.005.
  const cases: [string, CheckerPlugin, Record<string, unknown>][] = [
    ['integrity', integrity, { alpha: 0.05 }],
    ['feature-drift', featureDrift, { alpha: 0.05 }],
    ['mmd-drift', mmdDrift, { alpha: 0.05, permutations: 199 }],
  ];
  for (const [name, plugin, config] of cases) {
    it(`${name} alarms on at most 11 of 100 tiny batches (25 rows against 300) at alpha = 0.05`, async () => {
      const { alarms } = await falseAlarms(plugin, config, 300, 25, 100, 1);
      assert.ok(alarms <= 11, `${alarms}/100 false alarms`);
    });
    it(`${name} alarms on at most 6 of 40 large batches (3,000 rows against 3,000) at alpha = 0.05`, async () => {
      const { alarms } = await falseAlarms(plugin, config, 3000, 3000, 40, 2);
      assert.ok(alarms <= 6, `${alarms}/40 false alarms`);
    });
  }

  it('answers insufficient-data for a batch of 5 rows, naming the minimum, instead of a confident "no alarm"', async () => {
    for (const [name, plugin, config] of cases) {
      const cfg = parseConfig(plugin, config);
      const make = generator(77);
      const state = await plugin.fit!(make(300, 'reference'), cfg, quietContext());
      const report = await plugin.check(make(5, 'batch'), state, cfg, quietContext());
      assert.equal(report.status, 'insufficient-data', `${name}: ${JSON.stringify(report.details).slice(0, 300)}`);
      assert.equal(report.alarm, false);
      assert.match(
        String(report.details.insufficientData),
        new RegExp(`the batch has 5 .*${name} needs at least \\d+`),
      );
    }
  });
});
