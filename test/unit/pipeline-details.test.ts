import { strict as assert } from 'node:assert';
import type { PipelineStatus, StepState } from '../../common/messages.js';
import { validatePipeline } from '../../common/pipeline-spec.js';
import { currentDetails, shardDetails } from '../../workflows/pipeline/current-details.js';
import { headlineMetrics } from '../../workflows/pipeline/headline-metrics.js';

const step = (key: string, state: StepState['state'], extra: Partial<StepState> = {}): StepState => ({
  key,
  step: key.replace(/\[\d+\]$/, ''),
  kind: 'container',
  state,
  ...extra,
});

describe("a pipeline's Current Details and headline metrics", () => {
  it('fit the Web UI in a headline and one row of steps by state, with a map step counted and a link to the console', () => {
    const items = Array.from({ length: 100 }, (_, i) =>
      step(`shard[${i}]`, i < 80 ? 'succeeded' : i < 88 ? 'running' : 'pending', { mapIndex: i }),
    );
    const status: PipelineStatus = {
      name: 'big',
      state: 'running',
      startedAt: 0,
      steps: [
        step('prep', 'cached'),
        step('shard', 'running'),
        ...items,
        ...Array.from({ length: 30 }, (_, i) => step(`report-${i}`, 'pending')),
      ],
    };
    const md = currentDetails(status, 'http://127.0.0.1:8300/pipelines/big-1');
    const lines = md.split('\n');
    assert.equal(lines.length, 5, 'a headline, a blank line and a table of three lines');
    assert.equal(
      lines[0],
      '**big** · running · 1 of 32 steps done · [open in the Tidemark console](http://127.0.0.1:8300/pipelines/big-1)',
    );
    assert.equal(lines[2], '| ▶️ running | ⏳ waiting | ✅ done |');
    assert.match(lines[4]!, /^\| shard \(80\/100\) \| report-0, report-1, .* \+\d+ \| prep ♻ \|$/);
    assert.ok(
      lines.every((l) => l.length < 160),
      'no line runs wide',
    );
  });

  it("of a sharded map's shard say its items by state in one line", () => {
    const counts = { pending: 380, running: 8, cached: 100, succeeded: 10, failed: 2, skipped: 0, cancelled: 0 };
    assert.equal(
      shardDetails('words count[0-500]', 'running', counts),
      '**words count[0-500]** · running · 110 of 500 items done (100 from the cache) · 8 running · 2 failed',
    );
  });

  it("give the pipeline's run the metrics of its last steps, named by step where two share a name", () => {
    const spec = validatePipeline({
      name: 'p',
      steps: [
        { name: 'train', image: 'x', outputs: ['model'] },
        { name: 'evaluate', image: 'x', inputs: { model: 'train.model' } },
        { name: 'audit', image: 'x', inputs: { model: 'train.model' } },
      ],
    });
    const status: PipelineStatus = {
      name: 'p',
      state: 'succeeded',
      startedAt: 1000,
      endedAt: 4500,
      steps: [
        step('train', 'cached', { metrics: { loss: 0.1 } }),
        step('evaluate', 'succeeded', { metrics: { accuracy: 0.9, f1: 0.8 } }),
        step('audit', 'succeeded', { metrics: { accuracy: 0.7 } }),
      ],
    };
    assert.deepEqual(headlineMetrics(spec, status), {
      'evaluate.accuracy': 0.9,
      f1: 0.8,
      'audit.accuracy': 0.7,
      duration_s: 3.5,
      cache_hits: 1,
    });
  });
});
