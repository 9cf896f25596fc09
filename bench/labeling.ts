/**
 * Labeling sessions at scale: N sessions (default 2,000; LABELING_SESSIONS=10000 for more) wait
 * for labels on one worker (a process of its own, default options) with a tiny classifier as
 * scorer. Then each gets one `submitLabels` signal, and we time how long until a query sees
 * the label. Signals go out one at a time (LABELING_SENDERS=4 for more at once), so each figure is that signal's own latency.
 *
 * Last line: labeling sessions=<n> p50_ms=<x> p99_ms=<y> worker_rss_mb=<peak RSS of the worker>
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { createMinioClient } from '../lib/artifacts/minio-client.js';
import { MinioArtifactStore } from '../lib/artifacts/minio-store.js';
import type { LabelingSessionSpecInput } from '../common/labeling.js';
import { labelsQuery, pendingQuery, submitLabelsSignal } from '../common/labeling-messages.js';
import { buildLinearClassifier } from '../test/builders/onnx-builder.js';
import { Stack } from '../scripts/stack/stack.js';
import { connectClient } from '../client/client.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import type { labelingSession } from '../workflows/labeling/labeling-session.js';
import { median } from './harness.js';
import { startWorkerProcess } from './worker-process.js';
import { WORKER_HEAP_MB } from '../workers/heap-budget.js';

/** Signals in flight at once (LABELING_SENDERS); people label at a human pace, so the default is modest. */
const SENDERS = Number(process.env.LABELING_SENDERS ?? 1);
const STARTERS = 32;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function inParallel<T>(items: T[], width: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

export async function labelingBench(): Promise<void> {
  const n = Number(process.env.LABELING_SESSIONS ?? 2000);
  const config = resolveConfig();
  await Stack.ensure({ config, log: () => undefined });
  const taskQueue = `bench-labeling-${Date.now()}`;
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-bench-labeling-'));
  const store = new MinioArtifactStore(createMinioClient(config.minio), config.minio.bucket, dir);
  // The worker as deployed: its V8 heap budget (so garbage is collected rather than left to grow)
  // and the default cache of recently used workflows (TIDEMARK_MAX_CACHED_WORKFLOWS; the others
  // are replayed on demand).
  const heapMb = Number(process.env.LABELING_WORKER_HEAP_MB ?? WORKER_HEAP_MB);
  const worker = await startWorkerProcess(taskQueue, heapMb);
  const client = await connectClient(config);
  const bar = new cliProgress.SingleBar(
    { format: '{phase} {bar} {value}/{total}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  try {
    // The same tiny data for every session: 12 rows of 4 features, a linear classifier, batches of 2.
    await writeFile(
      join(dir, 'pool.csv'),
      `f0,f1,f2,f3\n${Array.from({ length: 12 }, (_, i) => [i, i % 3, i % 5, 1].map((v) => v / 4).join(',')).join('\n')}\n`,
    );
    await writeFile(join(dir, 'labeled.csv'), 'f0,f1,f2,f3,label\n0,0,0,0,a\n1,1,1,1,b\n');
    const spec: LabelingSessionSpecInput = {
      name: 'bench-labeling',
      pool: await store.put(join(dir, 'pool.csv'), 'pool.csv'),
      labeled: await store.put(join(dir, 'labeled.csv'), 'labeled.csv'),
      scorer: {
        kind: 'classifier',
        model: await store.putBytes(
          buildLinearClassifier({
            weights: [
              [1, 0, 0, 0],
              [0, 1, 0, 0],
            ],
            bias: [0, 0],
          }),
          'tiny.onnx',
        ),
        strategy: 'entropy',
      },
      batchSize: 2,
      labelSet: ['a', 'b'],
      retrain: { image: 'tidemark/busybox:latest', args: ['true'], outputs: { model: 'model' } },
      evaluate: { image: 'tidemark/busybox:latest', args: ['true'] },
      deadline: '30d',
      tracking: false,
    };
    const ids = Array.from({ length: n }, (_, i) => `${taskQueue}-${i}`);

    const t0 = performance.now();
    bar.start(n, 0, { phase: 'starting sessions' });
    let started = 0;
    await inParallel(ids, STARTERS, async (workflowId) => {
      await client.workflow.start<typeof labelingSession>('labelingSession', {
        taskQueue,
        workflowId,
        args: [{ spec }],
      });
      bar.update(++started);
    });
    bar.setTotal(n);
    bar.update(0, { phase: 'waiting for batches' });
    let waiting = 0;
    while (waiting < n) {
      await new Promise((r) => setTimeout(r, 1000));
      waiting = (await client.workflow.count(`TaskQueue = '${taskQueue}' AND LabelingStatus = 'waiting'`)).count;
      bar.update(waiting);
    }
    const startMs = performance.now() - t0;
    bar.stop();
    const sample = (await client.workflow.getHandle<typeof labelingSession>(ids[0]!).query(pendingQuery)).samples[0]!
      .id;
    const idle = worker.memory();
    const idleQueryMs: number[] = [];
    for (const workflowId of ids.slice(0, Math.min(50, n))) {
      const q0 = performance.now();
      await client.workflow.getHandle<typeof labelingSession>(workflowId).query(labelsQuery);
      idleQueryMs.push(performance.now() - q0);
    }

    const latencies: number[] = [];
    const signalMs: number[] = [];
    const queryMs: number[] = [];
    const queries: number[] = [];
    bar.start(n, 0, { phase: 'signal → query sees the label' });
    await inParallel(ids, SENDERS, async (workflowId) => {
      const h = client.workflow.getHandle<typeof labelingSession>(workflowId);
      const s0 = performance.now();
      await h.signal(submitLabelsSignal, { labeler: 'bench', labels: { [sample]: 'a' } });
      signalMs.push(performance.now() - s0);
      let tries = 0;
      for (;;) {
        const q0 = performance.now();
        const seen = sample in (await h.query(labelsQuery));
        queryMs.push(performance.now() - q0);
        tries++;
        if (seen) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      queries.push(tries);
      latencies.push(performance.now() - s0);
      bar.increment();
    });
    bar.stop();
    const mem = worker.memory();

    bar.start(n, 0, { phase: 'terminating sessions' });
    await inParallel(ids, STARTERS, async (workflowId) => {
      await client.workflow
        .getHandle(workflowId)
        .terminate('benchmark done')
        .catch(() => undefined);
      bar.increment();
    });
    bar.stop();

    latencies.sort((a, b) => a - b);
    const p50 = quantile(latencies, 0.5);
    const p99 = quantile(latencies, 0.99);
    console.log(`worker: V8 heap limit ${heapMb} MiB, ${config.worker.maxCachedWorkflows} workflows cached at most`);
    console.log(
      `${n} sessions started and waiting for labels in ${(startMs / 1000).toFixed(1)} s (${(n / (startMs / 1000)).toFixed(0)} sessions/s), ${SENDERS} signal senders`,
    );
    console.log(
      `signal → query sees the label: p50 ${p50.toFixed(1)} ms, p90 ${quantile(latencies, 0.9).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
    );
    console.log(
      `of which: the signal call ${median(signalMs).toFixed(1)} ms, one query ${median(queryMs).toFixed(1)} ms (medians; ${median(idleQueryMs).toFixed(1)} ms for a session with nothing new), ${(queries.reduce((a, b) => a + b, 0) / queries.length).toFixed(2)} queries per label`,
    );
    console.log(
      `worker RSS: ${idle.rss.toFixed(0)} MiB with every session waiting, ${mem.rss.toFixed(0)} MiB after the signals, peak ${mem.peak.toFixed(0)} MiB`,
    );
    console.log(
      `labeling sessions=${n} p50_ms=${p50.toFixed(1)} p99_ms=${p99.toFixed(1)} worker_rss_mb=${mem.peak.toFixed(0)}`,
    );
  } finally {
    bar.stop();
    await worker.stop();
    await client.connection.close();
    await rm(dir, { recursive: true, force: true });
  }
}
