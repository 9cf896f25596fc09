import { dirname, resolve } from 'node:path';
import { openArtifactStore } from '../../lib/artifacts/open-artifact-store.js';
import { workflowUiUrl } from '../../client/client.js';
import { readPipelineFile } from '../../client/prepare-pipeline.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { retryPipeline } from '../../client/retry-pipeline.js';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TidemarkConfig } from '../../common/config.js';
import { withClient } from '../context.js';
import { followPipeline } from '../follow-pipeline.js';
import { parseParams } from '../params.js';
import { pipelineStatus } from '../pipeline-status.js';

export interface RunOptions {
  param: string[];
  id?: string;
  wait?: boolean;
  allowOutsidePaths?: boolean;
}

/** `tidemark run`: validates, uploads and starts a pipeline; with --wait follows it to its end. */
export async function runPipelineCommand(file: string, opts: RunOptions): Promise<void> {
  const path = resolve(file);
  const raw = readPipelineFile(path);
  const params = parseParams(opts.param);
  await withClient(async (client, config) => {
    const store = openArtifactStore(config);
    const handle = await startPipeline(client, raw, {
      baseDir: dirname(path),
      store,
      taskQueue: config.temporal.taskQueue,
      workflowId: opts.id,
      params,
      allowPathsOutside: opts.allowOutsidePaths,
      consoleUrl: config.console.url,
    });
    await announceAndFollow(client, config, handle, opts.wait);
  });
}

/** `tidemark retry`: starts a finished pipeline again with its spec, params and inputs; what succeeded is served from the cache. */
export async function retryPipelineCommand(id: string, opts: { id?: string; wait?: boolean }): Promise<void> {
  await withClient(async (client, config) => {
    const handle = await retryPipeline(client, id, { taskQueue: config.temporal.taskQueue, workflowId: opts.id });
    await announceAndFollow(client, config, handle, opts.wait);
  });
}

async function announceAndFollow(
  client: Client,
  config: TidemarkConfig,
  handle: WorkflowHandle,
  wait: boolean | undefined,
): Promise<void> {
  console.log(`started ${handle.workflowId}`);
  console.log(`  ${workflowUiUrl(config, handle.workflowId)}`);
  console.log(`  ${config.console.url}/pipelines/${encodeURIComponent(handle.workflowId)}`);
  if (!wait) return;
  const final = await followPipeline(() => pipelineStatus(client, handle.workflowId));
  if (final.state !== 'succeeded') {
    const failure = await handle.result().then(
      () => '',
      (err: Error & { cause?: Error }) => err.cause?.message ?? err.message,
    );
    console.error(`\npipeline ${final.state}${failure ? `:\n${failure}` : ''}`);
    process.exitCode = 1;
  } else {
    console.log(`\npipeline succeeded in ${(((final.endedAt ?? Date.now()) - final.startedAt) / 1000).toFixed(1)} s`);
  }
}
