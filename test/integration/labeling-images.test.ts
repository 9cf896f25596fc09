import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { PNG } from 'pngjs';
import type { ArtifactRef } from '../../common/artifact.js';
import { pendingQuery, submitLabelsSignal } from '../../common/labeling-messages.js';
import { gaussian } from '../builders/data-tools.js';
import { buildDenseModel } from '../builders/onnx-builder.js';
import { writeNpy } from '../builders/npy-writer.js';
import { startLabelingSession } from '../../client/start-labeling-session.js';
import { createTestWorker, uniqueId, type TestWorker } from '../helpers/integration.js';
import { eventually } from '../helpers/labeling.js';
import { tempDir } from '../helpers/temp.js';

/**
 * An image pool (.npy, 8×8) scored by an autoencoder: 30 faint ordinary images, five near-copies
 * of one bright anomaly, and five other bright anomalies, each different. Reconstruction error
 * grows with brightness, so the copies score highest: without diversification a batch of four is
 * all copies; with it, one copy and three different anomalies.
 */
const PIXELS = 64;
const COPIES = [30, 31, 32, 33, 34];
const OTHERS = [35, 36, 37, 38, 39];

function poolImage(i: number, g: () => number): number[] {
  if (i < 30) return Array.from({ length: PIXELS }, () => 0.1 * g());
  if (COPIES.includes(i)) return Array.from({ length: PIXELS }, (_, p) => (p % 9 === 0 ? 25 : 0) + 0.01 * g());
  return Array.from({ length: PIXELS }, (_, p) => ((p + i) % 5 === 0 ? 8 : 0) + 0.01 * g());
}

describe('labeling image data', function () {
  this.timeout(300_000);
  let tw: TestWorker;
  let pool: ArtifactRef;
  let labeled: ArtifactRef;
  let model: ArtifactRef;
  let ordinary: ArtifactRef;
  const values: number[][] = [];

  before(async () => {
    tw = await createTestWorker();
    const dir = tempDir('labeling-images');
    const g = gaussian(3);
    for (let i = 0; i < 40; i++) values.push(poolImage(i, g));
    await writeNpy(join(dir, 'pool.npy'), 40, [8, 8], (block, first, n) => {
      for (let r = 0; r < n; r++) block.set(values[first + r]!, r * PIXELS);
    });
    const header = [...Array.from({ length: PIXELS }, (_, p) => `f${p}`), 'label'].join(',');
    writeFileSync(
      join(dir, 'labeled.csv'),
      `${header}\n${[0, 1, 2, 3].map((i) => `${poolImage(i, g).join(',')},${i % 2 ? 'odd' : 'plain'}`).join('\n')}\n`,
    );
    await writeNpy(join(dir, 'ordinary.npy'), 30, [8, 8], (block, first, n) => {
      for (let r = 0; r < n; r++) block.set(values[first + r]!, r * PIXELS);
    });
    ordinary = await tw.plugin.deps.store.put(join(dir, 'ordinary.npy'), 'ordinary.npy');
    pool = await tw.plugin.deps.store.put(join(dir, 'pool.npy'), 'pool.npy');
    labeled = await tw.plugin.deps.store.put(join(dir, 'labeled.csv'), 'labeled.csv');
    model = await tw.plugin.deps.store.putBytes(buildDenseModel({ widths: [PIXELS, 8, PIXELS], seed: 11 }), 'ae.onnx');
  });
  after(async () => tw?.close());

  const spec = (name: string, diversify: boolean) => ({
    name,
    pool,
    labeled,
    scorer: { kind: 'autoencoder' as const, model },
    batchSize: 4,
    diversify,
    labelSet: ['plain', 'odd', 'anomaly'],
    retrain: {
      image: 'tidemark/busybox:latest',
      args: ['sh', '-c', 'wc -l < /inputs/labeled > /outputs/model'],
      outputs: { model: 'model' },
    },
    evaluate: {
      image: 'tidemark/busybox:latest',
      args: ['sh', '-c', 'echo "{\\"accuracy\\": $(cat /inputs/model)}" > /outputs/metrics.json'],
    },
    stop: { rounds: 1 },
    tracking: false,
  });

  it('asks about the most anomalous images with PNG previews, spreads the batch over distinct ones when diversified, and merges pixel rows into the labeled set', async () => {
    await tw.worker.runUntil(async () => {
      const start = (diversify: boolean) =>
        startLabelingSession(tw.client, spec(uniqueId('labimg'), diversify), {
          baseDir: process.cwd(),
          store: tw.plugin.deps.store,
          taskQueue: tw.taskQueue,
        });
      const [plain, spread] = await Promise.all([start(false), start(true)]);
      const waitFor = (h: typeof plain) =>
        eventually(
          () => h.query(pendingQuery),
          (p) => p.phase === 'waiting',
          120_000,
          'the batch',
        );
      const [p1, p2] = await Promise.all([waitFor(plain), waitFor(spread)]);

      const idsOf = (p: typeof p1) => p.samples.map((s) => Number(s.id));
      assert.ok(
        idsOf(p1).every((id) => COPIES.includes(id)),
        `without diversify the batch is all near-copies: ${idsOf(p1).join(', ')}`,
      );
      assert.equal(
        idsOf(p2).filter((id) => COPIES.includes(id)).length,
        1,
        `diversified, one copy only: ${idsOf(p2).join(', ')}`,
      );
      assert.equal(idsOf(p2).filter((id) => OTHERS.includes(id)).length, 3);

      // Previews: presigned PNG thumbnails, served as images, scaled up for a person to see.
      assert.equal(p2.images, true);
      for (const s of p2.samples) {
        assert.equal(s.row, undefined, 'image samples carry a preview, not 64 numbers');
        const res = await fetch(s.preview!);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'image/png');
        const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
        assert.ok(png.width >= 96 && png.width === png.height, `${png.width}×${png.height}`);
      }

      await plain.terminate('not needed further');

      // A threshold from reference data: only the ten anomalies score above the ordinary images' maximum.
      const thresholded = await startLabelingSession(
        tw.client,
        { ...spec(uniqueId('labthr'), false), batchSize: 20, threshold: { reference: ordinary, quantile: 0.999 } },
        { baseDir: process.cwd(), store: tw.plugin.deps.store, taskQueue: tw.taskQueue },
      );
      const p3 = await waitFor(thresholded);
      assert.deepEqual(
        idsOf(p3).sort((a, b) => a - b),
        [...COPIES, ...OTHERS],
      );
      assert.ok(p3.minScore! > 0 && p3.samples.every((s) => s.score > p3.minScore!));
      await thresholded.terminate('test done');

      const labels = Object.fromEntries(p2.samples.map((s) => [s.id, 'anomaly']));
      await spread.signal(submitLabelsSignal, { labels });
      const result = await spread.result();
      const rows = parse((await tw.plugin.deps.store.getBytes(result.labeled)).toString('utf8'), {
        columns: true,
      }) as Record<string, string>[];
      assert.equal(rows.length, 8);
      for (const [k, s] of p2.samples.entries()) {
        const row = rows[4 + k]!;
        assert.equal(row.label, 'anomaly');
        assert.equal(Number(row.f0), Math.fround(values[Number(s.id)]![0]!));
        assert.equal(Number(row.f63), Math.fround(values[Number(s.id)]![63]!));
      }
      assert.equal(result.rounds[0]!.metric, 9, 'the retrain step saw the merged set (header + 8 rows)');
    });
  });
});
