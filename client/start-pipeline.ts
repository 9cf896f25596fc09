import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { ArtifactStore } from '../lib/artifacts/artifact-store.js';
import { PipelineSpecError } from '../common/pipeline-spec.js';
import { PipelineName, PipelineStatus } from '../common/search-attributes.js';
import type { pipeline } from '../workflows/pipeline/pipeline.js';
import { preparePipeline } from './prepare-pipeline.js';

export interface StartPipelineOptions {
  /** Folder that relative paths in the spec are relative to (the YAML file's folder). */
  baseDir: string;
  store: ArtifactStore;
  taskQueue: string;
  workflowId?: string;
  params?: Record<string, unknown>;
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
  const { spec, validated } = await preparePipeline(raw, { baseDir: opts.baseDir, store: opts.store });
  const unknownParams = Object.keys(opts.params ?? {}).filter((k) => !(k in validated.params));
  if (unknownParams.length) {
    throw new PipelineSpecError(
      unknownParams.map(
        (k) =>
          `param "${k}" is not declared by pipeline "${validated.name}" (it has: ${Object.keys(validated.params).join(', ') || 'none'})`,
      ),
    );
  }
  return client.workflow.start<typeof pipeline>('pipeline', {
    taskQueue: opts.taskQueue,
    workflowId: opts.workflowId ?? `${validated.name}-${randomUUID().slice(0, 8)}`,
    args: [{ spec, params: opts.params }],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: PipelineName, value: validated.name },
      { key: PipelineStatus, value: 'running' },
    ]),
  });
}
