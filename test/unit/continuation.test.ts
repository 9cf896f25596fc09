import { strict as assert } from 'node:assert';
import type { StepState } from '../../common/messages.js';
import { validatePipeline } from '../../common/pipeline-spec.js';
import { carryOver, fromRanges, toRanges } from '../../workflows/pipeline/continuation.js';
import type { Outcome } from '../../workflows/pipeline/step-run.js';

describe('a pipeline continuing as new', () => {
  it('carries the ended steps as ranges of indexes', () => {
    assert.deepEqual(toRanges([5, 0, 1, 2, 7, 6, 9]), [
      [0, 3],
      [5, 8],
      [9, 10],
    ]);
    assert.deepEqual([...fromRanges(toRanges([3, 4, 8]))], [3, 4, 8]);
  });

  it('carries only the outcomes that a waiting step, an output or the promotion reads, and the counts of the rest', () => {
    const n = 6;
    const spec = validatePipeline({
      name: 'chain',
      outputs: { first: 's0.o' },
      steps: Array.from({ length: n }, (_, i) => ({
        name: `s${i}`,
        image: 'busybox',
        outputs: { o: 'o' },
        ...(i ? { inputs: { x: `s${i - 1}.o` } } : {}),
      })),
    });
    const ref = (i: number) => ({
      uri: `s3://b/${i}`,
      sha256: String(i).padStart(64, '0'),
      size: 1,
      name: 'o',
      kind: 'file' as const,
    });
    const states: StepState[] = spec.steps.map((s, i) => ({
      key: s.name,
      step: s.name,
      kind: 'container',
      state: i < 3 ? (i === 0 ? 'succeeded' : 'cached') : 'pending',
    }));
    const settled = new Map<string, Outcome>([0, 1, 2].map((i) => [`s${i}`, { ok: true, outputs: { o: ref(i) } }]));
    const first = carryOver(spec, states, settled, undefined, { failures: [], versions: {}, startedAt: 1 });
    assert.deepEqual(first.ended, [[0, 3]]);
    assert.deepEqual(Object.keys(first.outcomes).sort(), ['s0', 's2'], 's2 for s3, s0 for the pipeline output');
    assert.deepEqual(first.counts, { succeeded: 1, cached: 2 });
    assert.equal(first.runs, 1);

    // The next run ends s3 and s4: s2's outcome is no longer read, s0's still is.
    const next = states.slice(3).map((s, i) => ({ ...s, state: i < 2 ? ('cached' as const) : s.state }));
    const settled2 = new Map<string, Outcome>([3, 4].map((i) => [`s${i}`, { ok: true, outputs: { o: ref(i) } }]));
    const second = carryOver(spec, next, settled2, first, { failures: [], versions: {}, startedAt: 1 });
    assert.deepEqual(second.ended, [[0, 5]]);
    assert.deepEqual(Object.keys(second.outcomes).sort(), ['s0', 's4']);
    assert.deepEqual(second.counts, { succeeded: 1, cached: 4 });
    assert.equal(second.runs, 2);
    assert.equal(second.startedAt, 1);
  });
});
