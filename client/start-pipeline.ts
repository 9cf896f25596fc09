import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { PipelineName, PipelineStatus } from '../common/search-attributes.js';
import { SPEC_INLINE_MAX_BYTES } from '../common/stored-spec.js';
import type { pipeline } from '../workflows/pipeline/pipeline.js';
import { preparePipeline, type PreparePipelineOptions } from './prepare-pipeline.js';

export interface StartPipelineOptions extends PreparePipelineOptions {
  taskQueue: string;
  workflowId?: string;
  /** The Tidemark console's URL (config.console.url): the Temporal UI's current details link to the run's page there. */
  consoleUrl?: string;
}

/**
 * Validates a pipeline spec, uploads its local files, and starts the `pipeline` workflow.
 * An invalid spec throws a PipelineSpecError listing every problem, and nothing starts.
 */
export async function startPipeline(
  client: Client,
  raw: unknown,
  opts: StartPipelineOptions,
): Promise<WorkflowHandle<typeof pipeline>> {
  const { spec, validated } = await preparePipeline(raw, opts);
  // A spec too large for a workflow argument travels as a ref to its JSON in the store.
  const json = JSON.stringify(spec);
  const specArg =
    Buffer.byteLength(json) > SPEC_INLINE_MAX_BYTES
      ? { specRef: await opts.store.putBytes(json, `${validated.name}.pipeline.json`) }
      : { spec };
  return client.workflow.start<typeof pipeline>('pipeline', {
    taskQueue: opts.taskQueue,
    workflowId: opts.workflowId ?? `${validated.name}-${randomUUID().slice(0, 8)}`,
    args: [{ ...specArg, params: opts.params, ...(opts.consoleUrl ? { consoleUrl: opts.consoleUrl } : {}) }],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: PipelineName, value: validated.name },
      { key: PipelineStatus, value: 'running' },
    ]),
  });
}
