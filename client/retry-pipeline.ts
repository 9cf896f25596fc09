import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { PipelineName, PipelineStatus } from '../common/search-attributes.js';
import { startInput } from './start-input.js';
import type { pipeline, PipelineInput } from '../workflows/pipeline/pipeline.js';

export interface RetryPipelineOptions {
  taskQueue: string;
  /** The new run's workflow id (default: `<old id>-retry-<random>`). */
  workflowId?: string;
}

/**
 * Starts a pipeline again with exactly what it was started with: its spec (local files already
 * uploaded), params, inputs and console link, read from its start event. Steps and map items that
 * finished before are cache hits, so only what failed, was cancelled or never ran runs again.
 */
export async function retryPipeline(
  client: Client,
  workflowId: string,
  opts: RetryPipelineOptions,
): Promise<WorkflowHandle<typeof pipeline>> {
  const old = client.workflow.getHandle(workflowId);
  const description = await old.describe();
  if (description.type !== 'pipeline')
    throw new Error(`${workflowId} is a ${description.type} workflow, not a pipeline: only pipelines are retried`);
  if (description.status.name === 'RUNNING')
    throw new Error(
      `pipeline ${workflowId} is still running: wait for it, or cancel it first (tidemark cancel ${workflowId})`,
    );
  const started = await startInput<PipelineInput>(client, workflowId);
  if (!started) throw new Error(`pipeline ${workflowId} has no start input to retry with`);
  // The latest run's input: after a continue-as-new it carries what the earlier runs did, which
  // a retry starts without (its finished steps are cache hits instead).
  const { continued: _earlier, ...input } = started;
  const name =
    (description.memo?.dag as { name?: string } | undefined)?.name ??
    (input.spec as { name?: string } | undefined)?.name;
  return client.workflow.start<typeof pipeline>('pipeline', {
    taskQueue: opts.taskQueue,
    workflowId: opts.workflowId ?? `${workflowId.replace(/-retry-[0-9a-f]{8}$/, '')}-retry-${randomUUID().slice(0, 8)}`,
    args: [input],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: PipelineName, value: String(name ?? workflowId) },
      { key: PipelineStatus, value: 'running' },
    ]),
  });
}
