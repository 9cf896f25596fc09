import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { ArtifactStore } from '../lib/artifacts/artifact-store.js';
import { ArtifactRefSchema } from '../common/artifact.js';
import {
  LabelingSpecError,
  roundPipelineSpec,
  validateLabelingSpec,
  type LabelingSessionSpec,
} from '../common/labeling.js';
import { PipelineSpecError, validatePipeline } from '../common/pipeline-spec.js';
import { LabelingStatus, PipelineName } from '../common/search-attributes.js';
import type { labelingSession } from '../workflows/labeling/labeling-session.js';
import { preparePipeline } from './prepare-pipeline.js';

type Raw = Record<string, unknown>;

export interface StartLabelingOptions {
  /** Folder that relative paths in the spec are relative to (the spec file's folder). */
  baseDir: string;
  store: ArtifactStore;
  taskQueue: string;
  workflowId?: string;
}

/**
 * Gets a session spec ready to start: `{ path }` (or a plain path string) for the pool, the
 * labeled set and the scorer's model are uploaded, the retrain and evaluate steps' local files
 * and build contexts too, and everything is validated, including the pipeline each round will
 * run. Throws a LabelingSpecError listing every problem before anything starts.
 */
export async function prepareLabelingSession(
  raw: unknown,
  opts: { baseDir: string; store: ArtifactStore },
): Promise<{ spec: Raw; validated: LabelingSessionSpec }> {
  if (!raw || typeof raw !== 'object') throw new LabelingSpecError(['the session spec must be an object']);
  const spec: Raw = { ...(raw as Raw) };
  const problems: string[] = [];
  const upload = async (value: unknown, field: string): Promise<unknown> => {
    if (ArtifactRefSchema.safeParse(value).success) return value;
    const path =
      typeof value === 'string'
        ? value
        : value && typeof value === 'object' && typeof (value as Raw).path === 'string'
          ? ((value as Raw).path as string)
          : undefined;
    if (path === undefined) return value; // left for validation to name
    const full = resolve(opts.baseDir, path);
    if (!existsSync(full)) {
      problems.push(`${field}: ${full} does not exist`);
      return value;
    }
    return opts.store.put(full, field.split('.').at(-1)!);
  };
  spec.pool = await upload(spec.pool, 'pool');
  spec.labeled = await upload(spec.labeled, 'labeled');
  if (spec.scorer && typeof spec.scorer === 'object' && 'model' in spec.scorer)
    spec.scorer = { ...(spec.scorer as Raw), model: await upload((spec.scorer as Raw).model, 'scorer.model') };
  if (spec.threshold && typeof spec.threshold === 'object')
    spec.threshold = {
      ...(spec.threshold as Raw),
      reference: await upload((spec.threshold as Raw).reference, 'threshold.reference'),
    };
  if (problems.length) throw new LabelingSpecError(problems);

  // The steps' own files, exactly as a pipeline's are uploaded.
  if (spec.retrain && typeof spec.retrain === 'object' && spec.evaluate && typeof spec.evaluate === 'object') {
    try {
      const { spec: prepared } = await preparePipeline(
        {
          name: typeof spec.name === 'string' ? spec.name : 'session',
          steps: [
            { ...(spec.retrain as Raw), name: 'retrain' },
            { ...(spec.evaluate as Raw), name: 'evaluate' },
          ],
        },
        opts,
      );
      const [retrain, evaluate] = ((prepared as Raw).steps as Raw[]).map(({ name: _name, ...step }) => step);
      spec.retrain = retrain;
      spec.evaluate = evaluate;
    } catch (err) {
      if (err instanceof PipelineSpecError)
        throw new LabelingSpecError(err.problems.map((p) => p.replace(/^step "(retrain|evaluate)", field /, '$1.')));
      throw err;
    }
  }
  const validated = validateLabelingSpec(spec);
  try {
    validatePipeline(
      roundPipelineSpec(
        { ...validated, retrain: spec.retrain as Raw, evaluate: spec.evaluate as Raw, tracking: validated.tracking },
        validated.labeled,
      ),
    );
  } catch (err) {
    if (err instanceof PipelineSpecError)
      throw new LabelingSpecError(err.problems.map((p) => `the round's pipeline: ${p}`));
    throw err;
  }
  return { spec, validated };
}

/** Validates a session spec, uploads its local files, and starts the `labelingSession` workflow. */
export async function startLabelingSession(
  client: Client,
  raw: unknown,
  opts: StartLabelingOptions,
): Promise<WorkflowHandle<typeof labelingSession>> {
  const { spec, validated } = await prepareLabelingSession(raw, opts);
  return client.workflow.start<typeof labelingSession>('labelingSession', {
    taskQueue: opts.taskQueue,
    workflowId: opts.workflowId ?? `${validated.name}-labeling-${randomUUID().slice(0, 8)}`,
    args: [{ spec }],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: PipelineName, value: validated.name },
      { key: LabelingStatus, value: 'selecting' },
    ]),
  });
}
