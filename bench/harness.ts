import { tmpdir } from 'node:os';
import { execa } from 'execa';
import type { TidemarkConfig } from '../common/config.js';
import type { PipelineResult } from '../workflows/pipeline/pipeline.js';
import { connectClient } from '../client/client.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { createTidemarkWorker } from '../workers/create-worker.js';
import { startPipeline } from '../client/start-pipeline.js';
import { Stack } from '../scripts/stack/stack.js';
import type { ArtifactStore } from '../lib/artifacts/artifact-store.js';
import { createMinioClient } from '../lib/artifacts/minio-client.js';
import { MinioArtifactStore } from '../lib/artifacts/minio-store.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';
import type { StackProfile } from '../scripts/stack/profile.js';

export const BUSYBOX = 'tidemark/busybox:latest';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export type TimePipeline = (spec: unknown) => Promise<{ ms: number; result: PipelineResult }>;

/**
 * Runs `fn` with one worker (the default config unless given, its own task queue) and a function
 * that times a pipeline on it: wall time from start to result. The stack runs in `profile`
 * (default: $TIDEMARK_STACK_PROFILE, else dev). The worker runs in this process, or with
 * `ownProcess` as deployed in a process of its own (bench/worker-process.ts; its heap budget unless
 * `heapMb` is given), handed to `fn` so that its memory can be read alone.
 */
export async function withPipelineWorker<T>(
  fn: (timePipeline: TimePipeline, worker?: WorkerProcess) => Promise<T>,
  opts: { config?: TidemarkConfig; profile?: StackProfile; ownProcess?: { heapMb?: number } } = {},
): Promise<T> {
  const config = opts.config ?? resolveConfig();
  const stack = await Stack.ensure({ config, profile: opts.profile, log: () => undefined });
  console.log(`(stack: the ${stack.profile} profile)`);
  const taskQueue = `bench-${Date.now()}`;
  const client = await connectClient(config);
  let own: WorkerProcess | undefined;
  const timed = (store: ArtifactStore, worker?: WorkerProcess) => {
    const start = (spec: unknown) => startPipeline(client, spec, { baseDir: tmpdir(), store, taskQueue });
    return async (): Promise<T> => {
      // Warm-up: the first workflow task pays for the isolate; keep it out of the figures.
      await (
        await start({
          name: 'warmup',
          steps: [{ name: 'w', image: BUSYBOX, args: ['true'], cache: { enabled: false } }],
        })
      ).result();
      return fn(async (spec) => {
        const t0 = performance.now();
        const result = await (await start(spec)).result();
        return { ms: performance.now() - t0, result };
      }, worker);
    };
  };
  try {
    if (opts.ownProcess) {
      own = await startWorkerProcess(taskQueue, opts.ownProcess.heapMb);
      const store = new MinioArtifactStore(createMinioClient(config.minio), config.minio.bucket, tmpdir());
      return await timed(store, own)();
    }
    const { worker, plugin, connection } = await createTidemarkWorker({ config, worker: { taskQueue } });
    try {
      return await worker.runUntil(timed(plugin.deps.store));
    } finally {
      await connection.close();
    }
  } finally {
    await own?.stop();
    await client.connection.close();
  }
}

/** A pipeline of `n` sequential no-op busybox steps, never cached. */
export function noopPipeline(name: string, n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    maxParallel: 1,
    ...extra,
    steps: Array.from({ length: n }, (_, i) => ({
      name: `s${i}`,
      image: BUSYBOX,
      args: ['true'],
      cache: { enabled: false },
    })),
  };
}

/** Wall time of a shell command (the plain-Docker baseline). */
export async function timeShell(script: string): Promise<number> {
  const t0 = performance.now();
  await execa('bash', ['-c', script], { stdio: 'ignore' });
  return performance.now() - t0;
}

/** The median of per-round ratios, with the range, as `1.234 (1.100–1.300)`. */
export function ratioSummary(ratios: number[]): { median: number; text: string } {
  const m = median(ratios);
  return {
    median: m,
    text: `${m.toFixed(3)} (rounds ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`,
  };
}
