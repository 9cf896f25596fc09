import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { TidemarkPlugin, type TidemarkPluginOptions } from './plugin.js';

export interface TidemarkWorkerOptions extends TidemarkPluginOptions {
  /** Extra worker options (your own workflowsPath, activities, task queue, …). */
  worker?: Partial<WorkerOptions>;
}

/** A worker with the Tidemark plugin on the configured server and task queue. */
export async function createTidemarkWorker(
  options: TidemarkWorkerOptions = {},
): Promise<{ worker: Worker; plugin: TidemarkPlugin; connection: NativeConnection }> {
  const plugin = new TidemarkPlugin(options);
  const connection = await NativeConnection.connect({ address: plugin.config.temporal.address });
  try {
    const worker = await Worker.create({
      connection,
      taskQueue: plugin.config.temporal.taskQueue,
      ...options.worker,
      plugins: [plugin, ...(options.worker?.plugins ?? [])],
    });
    return { worker, plugin, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
