import { strict as assert } from 'node:assert';
import { defaultHeapWarning, WORKER_HEAP_MB, workerHeapOption } from '../../workers/heap-budget.js';

describe('the worker heap budget', () => {
  it('is a node option that sets the old space in MiB', () => {
    assert.equal(workerHeapOption(), `--max-old-space-size=${WORKER_HEAP_MB}`);
    assert.equal(workerHeapOption(1024), '--max-old-space-size=1024');
  });

  it("warns when the worker runs with Node's default heap, and names the option and the doc", () => {
    const warning = defaultHeapWarning([], '');
    assert.ok(warning);
    assert.match(warning, /default heap limit, \d+ MiB/);
    assert.ok(warning.includes(`NODE_OPTIONS=--max-old-space-size=${WORKER_HEAP_MB}`));
    assert.ok(warning.includes('docs/production.md#worker-memory'));
  });

  it('stays quiet when a heap size was given, on the command line or in NODE_OPTIONS, in either spelling', () => {
    assert.equal(defaultHeapWarning(['--max-old-space-size=2048'], ''), undefined);
    assert.equal(defaultHeapWarning([], '--enable-source-maps --max_old_space_size=900'), undefined);
    assert.equal(defaultHeapWarning(['--max-heap-size=1500'], ''), undefined);
    // Other options are not a heap size.
    assert.ok(defaultHeapWarning(['--max-semi-space-size=64', '--import', 'tsx'], '--enable-source-maps'));
  });
});
