import { strict as assert } from 'node:assert';
import type { PipelineStatus } from '../../common/messages.js';
import { stepGraph } from '../../console/web/src/pipeline/graph-model.js';

describe("the console's pipeline graph", () => {
  const status: PipelineStatus = {
    name: 'p',
    state: 'running',
    startedAt: 0,
    steps: [
      { key: 's4000', step: 's4000', kind: 'container', state: 'running' },
      { key: 's4001', step: 's4001', kind: 'container', state: 'pending' },
    ],
  };

  it('draws the memo graph when the pipeline has one', () => {
    const g = stepGraph({ name: 'p', nodes: [{ id: 'a', kind: 'container' }], edges: [] }, status);
    assert.deepEqual(
      g.nodes.map((n) => n.id),
      ['a'],
    );
  });

  it('shows the current run’s steps of a pipeline too large to keep a graph', () => {
    const g = stepGraph({ name: 'p', nodes: [], edges: [], omitted: 10_000 }, status);
    assert.deepEqual(
      g.nodes.map((n) => n.id),
      ['s4000', 's4001'],
    );
  });

  it('counts a sharded map’s items from its status, which lists none', () => {
    const items = { total: 20_000, succeeded: 10, cached: 15_000, failed: 2, cancelled: 0 };
    const g = stepGraph(
      { name: 'p', nodes: [{ id: 'm', kind: 'container', map: true }], edges: [] },
      { ...status, steps: [{ key: 'm', step: 'm', kind: 'container', state: 'running', items }] },
    );
    assert.equal(g.nodes[0]!.items?.total, 20_000);
    assert.deepEqual(g.nodes[0]!.items?.counts, {
      succeeded: 10,
      cached: 15_000,
      failed: 2,
      cancelled: 0,
      pending: 4_988,
    });
  });
});
