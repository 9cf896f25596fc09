import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { TidemarkPlugin, type TidemarkPluginOptions } from './plugin.js';
import { prebuiltWorkflowBundle } from './workflow-bundle-cache.js';

export interface TidemarkWorkerOptions extends TidemarkPluginOptions {
  /** Extra worker options (your own workflowsPath, activities, task queue, …). */
  worker?: Partial<WorkerOptions>;
}

/** A worker with the Tidemark plugin on the configured server and task queue. */
export async function createTidemarkWorker(
  options: TidemarkWorkerOptions = {},
): Promise<{ worker: Worker; plugin: TidemarkPlugin; connection: NativeConnection }> {
  const plugin = new TidemarkPlugin(options);
  const own = options.worker?.workflowsPath !== undefined || options.worker?.workflowBundle !== undefined;
  // Tidemark's workflows alone: from the bundle kept in the state folder (made on the first start).
  const bundle = own ? {} : { workflowBundle: await prebuiltWorkflowBundle(plugin) };
  const connection = await NativeConnection.connect({ address: plugin.config.temporal.address });
  try {
    const worker = await Worker.create({
      connection,
      taskQueue: plugin.config.temporal.taskQueue,
      ...bundle,
      ...options.worker,
      plugins: [plugin, ...(options.worker?.plugins ?? [])],
    });
    return { worker, plugin, connection };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
