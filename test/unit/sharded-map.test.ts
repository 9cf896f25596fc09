import { strict as assert } from 'node:assert';
import { parseMapItems } from '../../activities/steps/map-items.js';
import { validatePipeline } from '../../common/pipeline-spec.js';
import { childRanges, SHARD_FANOUT } from '../../workflows/pipeline/sharded-map.js';

describe('a sharded map', () => {
  it('splits its items into leaves of shardSize, and into a tree when there are more leaves than the fan-out', () => {
    assert.deepEqual(childRanges(0, 10, 4), [
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
    assert.deepEqual(childRanges(0, 3, 500), [[0, 3]]);
    const top = childRanges(0, 100_000, 500);
    assert.ok(top.length <= SHARD_FANOUT, `${top.length} children`);
    assert.equal(top[0]![1] % 500, 0, 'each child holds whole leaves');
    assert.deepEqual([top[0]![0], top.at(-1)![1]], [0, 100_000]);
    for (const [a, b] of top) {
      const leaves = childRanges(a, b, 500);
      assert.ok(leaves.length <= SHARD_FANOUT && leaves.every(([x, y]) => y - x <= 500));
    }
    // Every item in exactly one range, in order.
    const flat = top.flatMap(([a, b]) => childRanges(a, b, 500));
    assert.ok(flat.every(([a], i) => i === 0 || a === flat[i - 1]![1]));
  });

  it('reads a list file as JSON lines or as CSV rows, and names the line that is neither', () => {
    assert.deepEqual(parseMapItems(Buffer.from('1\n"two"\n\n{"x": 3}\n'), 'items.jsonl'), [1, 'two', { x: 3 }]);
    assert.deepEqual(parseMapItems(Buffer.from('path,n\na.png,1\nb.png,2\n'), 'files.csv'), [
      { path: 'a.png', n: '1' },
      { path: 'b.png', n: '2' },
    ]);
    assert.deepEqual(parseMapItems(Buffer.from('path\na.png\n'), 'files'), [{ path: 'a.png' }], 'a header row: CSV');
    assert.throws(
      () => parseMapItems(Buffer.from('1\nnot json\n'), 'items.jsonl'),
      /line 2 of "items.jsonl" is not JSON/,
    );
    assert.throws(() => parseMapItems(Buffer.from([0x89, 0x50, 0x00, 0x01]), 'x.jsonl'), /not a text list/);
  });

  it('is validated: over a pipeline input, a shardSize in bounds', () => {
    const spec = (map: unknown, inputs: unknown) => ({
      name: 'p',
      inputs,
      steps: [{ name: 's', image: 'busybox', map }],
    });
    const ok = validatePipeline(
      spec({ over: '${inputs.items}', shardSize: 100 }, { items: { path: './items.jsonl' } }),
    );
    assert.equal(ok.steps[0]!.map?.shardSize, 100);
    assert.equal(validatePipeline(spec({ over: [1, 2] }, {})).steps[0]!.map?.shardSize, 500);
    assert.throws(
      () => validatePipeline(spec({ over: '${inputs.nope}' }, {})),
      /"nope" is not one of the pipeline's inputs/,
    );
    assert.throws(() => validatePipeline(spec({ over: [1], shardSize: 0 }, {})), /shardSize/);
  });
});
