import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { startPipeline } from '../../client/start-pipeline.js';
import type { TidemarkConfig } from '../../common/config.js';
import { stopDaemon } from '../../scripts/stack/daemon.js';
import { stackPaths } from '../../scripts/stack/paths.js';
import { MinioServer } from '../../scripts/stack/services/minio.js';
import { MlflowServer } from '../../scripts/stack/services/mlflow.js';
import { locateTools } from '../../scripts/stack/tools.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { TidemarkPlugin, type TidemarkPluginOptions } from '../../workers/plugin.js';
import { tempDir } from './temp.js';

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
    bundle = bundleWorkflowCode({
      workflowsPath: workflowsPath as string,
      plugins: [plugin],
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
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
export async function createTestWorker(
  opts: {
    plugin?: TidemarkPluginOptions;
    worker?: Partial<WorkerOptions>;
    workflowsPath?: string;
    taskQueue?: string;
  } = {},
): Promise<TestWorker> {
  // A test with its own server passes a whole config of its own.
  const config = (opts.plugin?.config as TidemarkConfig | undefined) ?? testConfig;
  const plugin = new TidemarkPlugin({ config, ...opts.plugin });
  const taskQueue = opts.taskQueue ?? uniqueId('test');
  const nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection: nativeConnection,
    namespace: config.temporal.namespace,
    taskQueue,
    workflowBundle: await bundleFor(plugin, opts.workflowsPath),
    plugins: [plugin],
    ...opts.worker,
  });
  const connection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection, namespace: config.temporal.namespace, plugins: [plugin] });
  return {
    worker,
    client,
    plugin,
    taskQueue,
    async close() {
      await connection.close();
      // A worker that never ran still holds the connection; it is released when it is garbage.
      await nativeConnection.close().catch(() => undefined);
    },
  };
}

/** How many containers Docker created for a workflow between `since` (ms) and now, from Docker's own event log. */
export async function containersCreated(workflowId: string, sinceMs: number): Promise<number> {
  const Docker = (await import('dockerode')).default;
  const docker = new Docker({ socketPath: testConfig.containers.dockerSocket });
  const stream = (await docker.getEvents({
    since: Math.floor(sinceMs / 1000) - 1,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: { type: ['container'], event: ['create'], label: [`tidemark.workflow-id=${workflowId}`] },
  })) as NodeJS.ReadableStream;
  let count = 0;
  let buffer = '';
  for await (const chunk of stream) {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    count += lines.filter((l) => l.trim()).length;
  }
  return count + (buffer.trim() ? 1 : 0);
}

/**
 * Containers still present (running or not) for a workflow, once the worker has finished the
 * clean-up it runs after steps report (a finished step's container is removed just after).
 */
export async function leftoverContainers(tw: TestWorker, workflowId: string): Promise<string[]> {
  await tw.plugin.deps.cleanup.drain();
  return tw.plugin.deps.containers.list({ 'tidemark.workflow-id': workflowId });
}

/**
 * A deterministic CSV for drift tests: a numeric `size`, optionally a categorical `colour`, and a
 * `label` whose share of "yes" is `share` (the first rows), from a small LCG seeded with `seed`.
 */
export function labelledCsv(n: number, share: number, seed: number, opts: { colour?: boolean } = {}): string {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const rows = [opts.colour ? 'size,colour,label' : 'size,label'];
  for (let i = 0; i < n; i++) {
    const size = (rand() * 10).toFixed(3);
    const colour = opts.colour ? `${rand() < 0.5 ? 'red' : 'blue'},` : '';
    rows.push(`${size},${colour}${i < n * share ? 'yes' : 'no'}`);
  }
  return `${rows.join('\n')}\n`;
}

/**
 * An MLflow server of a test's own (its own port and database, the shared MinIO), started as the
 * stack starts its own, so that stopping it touches nothing else, whoever started the shared stack.
 */
export async function privateMlflow(
  port: number,
): Promise<{ config: TidemarkConfig; server: MlflowServer; runDir: string; close(): Promise<void> }> {
  const stateDir = tempDir(`mlflow-${port}`);
  const paths = { ...stackPaths(), stateDir, logsDir: join(stateDir, 'logs'), runDir: join(stateDir, 'run') };
  const config = { ...testConfig, mlflow: { ...testConfig.mlflow, trackingUri: `http://127.0.0.1:${port}` } };
  const server = new MlflowServer(config, paths, locateTools().mlflow);
  mkdirSync(paths.logsDir, { recursive: true });
  await server.start();
  return {
    config,
    server,
    runDir: paths.runDir,
    async close() {
      await stopDaemon(paths.runDir, 'mlflow');
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** A MinIO of a test's own on `port` (its console on port + 1), to stop and start without touching the shared one. */
export async function privateMinio(
  port: number,
): Promise<{ config: TidemarkConfig; server: MinioServer; runDir: string; close(): Promise<void> }> {
  const stateDir = tempDir(`minio-${port}`);
  const paths = { ...stackPaths(), stateDir, logsDir: join(stateDir, 'logs'), runDir: join(stateDir, 'run') };
  const config = {
    ...testConfig,
    minio: {
      ...testConfig.minio,
      endpoint: `http://127.0.0.1:${port}`,
      consoleUrl: `http://127.0.0.1:${port + 1}`,
    },
  };
  const server = new MinioServer(config, paths, locateTools().minio);
  mkdirSync(paths.logsDir, { recursive: true });
  await server.start();
  await server.prepare();
  return {
    config,
    server,
    runDir: paths.runDir,
    async close() {
      await stopDaemon(paths.runDir, 'minio');
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Starts a pipeline on a test worker's task queue, local paths relative to `baseDir` (default: the temp folder). */
export function startOn(tw: TestWorker, spec: unknown, idPrefix: string, baseDir = tmpdir()) {
  return startPipeline(tw.client, spec, {
    baseDir,
    store: tw.plugin.deps.store,
    taskQueue: tw.taskQueue,
    workflowId: uniqueId(idPrefix),
  });
}
