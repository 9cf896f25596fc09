import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection, Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TidemarkConfig } from '../common/config';
import { resolveConfig } from '../workers/config';
import { TidemarkPlugin, type TidemarkPluginOptions } from '../workers/plugin';

/** A unique, readable id for a test's workflows and task queues. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export const testConfig: TidemarkConfig = resolveConfig();

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** Bundles the workflows once per distinct entry and reuses the bundle across tests. */
export function bundleFor(plugin: TidemarkPlugin, workflowsPath?: string): Promise<WorkflowBundleWithSourceMap> {
  const key = workflowsPath ?? '(tidemark)';
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath: workflowsPath as string, plugins: [plugin], logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
    bundles.set(key, bundle);
  }
  return bundle;
}

export interface TestWorker {
  worker: Worker;
  client: Client;
  plugin: TidemarkPlugin;
  taskQueue: string;
  close(): Promise<void>;
}

/** A worker with the Tidemark plugin on its own task queue, and a client, against the real stack. */
export async function createTestWorker(opts: { plugin?: TidemarkPluginOptions; worker?: Partial<WorkerOptions>; workflowsPath?: string } = {}): Promise<TestWorker> {
  const plugin = new TidemarkPlugin({ config: testConfig, ...opts.plugin });
  const taskQueue = uniqueId('test');
  const nativeConnection = await NativeConnection.connect({ address: testConfig.temporal.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: testConfig.temporal.namespace,
    taskQueue,
    workflowBundle: await bundleFor(plugin, opts.workflowsPath),
    plugins: [plugin],
    ...opts.worker,
  });
  const connection = await Connection.connect({ address: testConfig.temporal.address });
  const client = new Client({ connection, namespace: testConfig.temporal.namespace, plugins: [plugin] });
  return {
    worker,
    client,
    plugin,
    taskQueue,
    async close() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}
