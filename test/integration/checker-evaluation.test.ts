import { strict as assert } from 'node:assert';
import { runScenario, seedsFor } from '../../bench/evaluation/run-scenario.js';
import { createScenarios, type Scenario } from '../../bench/evaluation/scenarios.js';
import { tempFolder } from '../helpers/temp.js';

/**
 * The built-in checkers on scikit-learn's digits and wine (exported in the python-ml image,
 * autoencoders trained by the reference trainer image), over 20 random splits per scenario.
 */
describe('the built-in checkers on digits and wine drift scenarios', () => {
  const tmp = tempFolder('evaluation');
  let scenarios: Scenario[] = [];
  const SPLITS = seedsFor(20);
  const scenario = (prefix: string) => {
    const s = scenarios.find((x) => x.name.startsWith(prefix));
    assert.ok(s, `no scenario "${prefix}"`);
    return s;
  };
  const detects =
    (prefix: string, minRate = 0.9) =>
    async () => {
      const r = await runScenario(scenario(prefix), SPLITS, tmp.dir());
      assert.ok(r.rate >= minRate, `${r.scenario.name}: detected in ${r.alarms}/${r.runs} splits`);
    };

  before(async function () {
    this.timeout(300_000);
    scenarios = (await createScenarios(tmp.dir())).scenarios;
  });

  it('raises at most 10% false alarms on held-out i.i.d. data, for every checker, over 20 random splits each', async () => {
    const iid = scenarios.filter((s) => !s.drift);
    assert.deepEqual([...new Set(iid.map((s) => s.plugin))].sort(), [
      'drift-autoencoder',
      'feature-drift',
      'integrity',
    ]);
    for (const s of iid) {
      const r = await runScenario(s, SPLITS, tmp.dir());
      assert.ok(r.rate <= 0.1, `${s.name}: ${r.alarms}/${r.runs} false alarms`);
    }
  });

  it('alarms on Gaussian noise added to digits (dense and conv autoencoders)', async () => {
    await detects('digits + Gaussian noise σ=2 (dense AE)')();
    await detects('digits + Gaussian noise σ=2 (conv AE)')();
  });

  it('alarms on digits rotated by 30 degrees', async () => {
    await detects('digits rotated 30° (dense AE)')();
    await detects('digits rotated 30° (conv AE)')();
  });

  it('alarms on a digit class the autoencoder never saw, and lists the 20 most anomalous rows', async () => {
    await detects('unseen digit class 9 (dense AE)')();
    const r = await runScenario(scenario('unseen digit class 9 (conv AE)'), SPLITS.slice(0, 5), tmp.dir());
    assert.equal(r.alarms, 5);
    assert.ok((r.reports[0]!.details.topAnomalies as unknown[]).length === 20);
  });

  it('alarms on a class-balance shift from 30/70 to 60/40', detects('class balance 30/70 → 60/40'));

  it('alarms on a new category level', detects('new category level'));

  it('alarms on NaN values through the integrity checker', detects('wine with NaN'));
});
