import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { ENV } from '../common/env.js';
import { PROJECT_ROOT } from '../scripts/stack/paths.js';
import { WORKER_HEAP_MB, workerHeapOption } from '../workers/heap-budget.js';

/** A worker in a process of its own, so that its memory is measured alone. */
export interface WorkerProcess {
  pid: number;
  /** VmRSS and VmHWM (its peak so far), in MiB. */
  memory(): { rss: number; peak: number };
  stop(): Promise<void>;
}

/**
 * Starts the worker a deployment runs (workers/main.ts, default options, no metrics server) on
 * `taskQueue`, with the heap it is deployed with unless `heapMb` says otherwise (0: Node's default,
 * for comparison), and resolves once it polls.
 */
export async function startWorkerProcess(taskQueue: string, heapMb = WORKER_HEAP_MB): Promise<WorkerProcess> {
  const heap = heapMb > 0 ? [workerHeapOption(heapMb)] : [];
  const child = execa(process.execPath, [...heap, '--import', 'tsx', 'workers/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { [ENV.taskQueue]: taskQueue, [ENV.metricsAddress]: 'off' },
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('Tidemark worker polling') && resolve());
    child.then(
      () => reject(new Error(`the worker exited before it polled:\n${stderr}`)),
      (err: unknown) => reject(new Error(`the worker failed before it polled: ${String(err)}\n${stderr}`)),
    );
  });
  // Drained, so that a chatty worker never blocks on a full pipe.
  child.stdout!.resume();
  const pid = child.pid!;
  return {
    pid,
    memory() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
    },
    async stop() {
      child.kill('SIGTERM');
      await child.catch(() => undefined);
    },
  };
}
