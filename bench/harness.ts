import { tmpdir } from 'node:os';
import { execa } from 'execa';
import type { PipelineResult } from '../workflows/pipeline/pipeline';
import { connectClient } from '../workers/client';
import { resolveConfig } from '../workers/config';
import { createTidemarkWorker } from '../workers/create-worker';
import { startPipeline } from '../workers/start-pipeline';
import { Stack } from '../scripts/stack/stack';

export const BUSYBOX = 'tidemark/busybox:latest';

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Runs a pipeline spec on a worker in this process; returns its wall time and result. */
export async function timePipeline(spec: unknown): Promise<{ ms: number; result: PipelineResult }> {
  const config = resolveConfig();
  await Stack.ensure({ config, log: () => undefined });
  const taskQueue = `bench-${Date.now()}`;
  const { worker, plugin, connection } = await createTidemarkWorker({ config, worker: { taskQueue } });
  const client = await connectClient(config);
  try {
    return await worker.runUntil(async () => {
      // Warm-up: the first workflow task pays for the isolate; keep it out of the figure.
      await (await startPipeline(client, { name: 'warmup', steps: [{ name: 'w', image: BUSYBOX, args: ['true'], cache: { enabled: false } }] }, { baseDir: tmpdir(), store: plugin.deps.store, taskQueue })).result();
      const t0 = performance.now();
      const handle = await startPipeline(client, spec, { baseDir: tmpdir(), store: plugin.deps.store, taskQueue });
      const result = await handle.result();
      return { ms: performance.now() - t0, result };
    });
  } finally {
    await client.connection.close();
    await connection.close();
  }
}

/** Wall time of a shell command (the plain-Docker baseline). */
export async function timeShell(script: string): Promise<number> {
  const t0 = performance.now();
  await execa('bash', ['-c', script], { stdio: 'ignore' });
  return performance.now() - t0;
}
