import { strict as assert } from 'node:assert';
import type { StepState, StepStateName } from '../../common/messages.js';
import { RESULT_MAX_STEPS, resultSteps, stepCounts } from '../../workflows/pipeline/result-steps.js';

const step = (i: number, state: StepStateName): StepState => ({
  key: `s${i}`,
  step: `s${i}`,
  kind: 'container',
  state,
});

describe('the steps a pipeline result lists', () => {
  it('lists every step of a run that fits', () => {
    const all = Array.from({ length: RESULT_MAX_STEPS }, (_, i) => step(i, 'succeeded'));
    assert.deepEqual(resultSteps(all), { steps: all });
  });

  it('keeps failed, cancelled and skipped steps first when a run has more, in run order, and counts the rest', () => {
    const n = 2_000;
    const odd: Record<number, StepStateName> = { 1_999: 'failed', 1_500: 'skipped', 7: 'cancelled' };
    const all = Array.from({ length: n }, (_, i) => step(i, odd[i] ?? (i % 2 ? 'cached' : 'succeeded')));
    const { steps, stepsOmitted } = resultSteps(all);
    assert.equal(steps.length, RESULT_MAX_STEPS);
    assert.equal(stepsOmitted, n - RESULT_MAX_STEPS);
    for (const key of ['s7', 's1500', 's1999'])
      assert.ok(
        steps.some((s) => s.key === key),
        key,
      );
    const indexes = steps.map((s) => Number(s.key.slice(1)));
    assert.deepEqual(
      indexes,
      [...indexes].sort((a, b) => a - b),
      'in run order',
    );
    assert.ok(JSON.stringify(steps).length < 512 * 1024);
  });

  it('counts steps by state with the earlier runs’, leaving out states with none', () => {
    const current = { pending: 0, running: 0, cached: 2, succeeded: 1, failed: 0, skipped: 0, cancelled: 0 };
    assert.deepEqual(stepCounts(current, { cached: 10, failed: 1 }), { succeeded: 1, cached: 12, failed: 1 });
    assert.deepEqual(stepCounts(current), { succeeded: 1, cached: 2 });
  });
});
