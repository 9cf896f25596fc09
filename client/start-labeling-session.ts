import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { ArtifactStore } from '../lib/artifacts/artifact-store.js';
import { ArtifactRefSchema, type ArtifactRef } from '../common/artifact.js';
import {
  LabelingSpecError,
  SESSION_NEEDS,
  roundPipelineSpec,
  validateLabelingSpec,
  type LabelingSessionSpec,
} from '../common/labeling.js';
import { PipelineSpecError, validatePipeline } from '../common/pipeline-spec.js';
import { LabelingStatus, PipelineName } from '../common/search-attributes.js';
import type { labelingSession } from '../workflows/labeling/labeling-session.js';
import { notAMapping } from '../common/zod-messages.js';
import { planPipeline, type PipelineUploadPlan } from './prepare-pipeline.js';
import { readSpecDocument } from './spec-file.js';

type Raw = Record<string, unknown>;

export interface StartLabelingOptions {
  /** Folder that relative paths in the spec are relative to (the spec file's folder). */
  baseDir: string;
  store: ArtifactStore;
  taskQueue: string;
  workflowId?: string;
  /** The Tidemark console's URL (config.console.url): the Temporal UI's current details link to the session's labeling page. */
  consoleUrl?: string;
}

/** Reads a session spec file (YAML or JSON); throws a LabelingSpecError naming the file when it holds no session. */
export function readLabelingSessionFile(path: string): Raw {
  const read = readSpecDocument(path, { what: 'labeling session', needs: SESSION_NEEDS });
  if ('problem' in read) throw new LabelingSpecError([read.problem]);
  return read.raw;
}

/** A local file the session spec names (`{ path }`, or a plain path string), where it goes in the spec. */
interface SessionFile {
  /** The field, e.g. `scorer.model`. */
  field: string;
  written: string;
  path: string;
  set(spec: Raw, ref: ArtifactRef): void;
}

/** A ref that stands for a local file while the spec is validated, before anything is uploaded. */
const standIn = (name: string): ArtifactRef => ({
  uri: 's3://not-uploaded-yet/local-file',
  sha256: '0'.repeat(64),
  size: 0,
  name,
  kind: 'file',
});

/** The session's own local files: pool, labeled set, scorer model and threshold reference. */
function sessionFiles(spec: Raw, baseDir: string): SessionFile[] {
  const files: SessionFile[] = [];
  const look = (value: unknown, field: string, set: (spec: Raw, ref: ArtifactRef) => void) => {
    if (ArtifactRefSchema.safeParse(value).success) return;
    const written =
      typeof value === 'string'
        ? value
        : value && typeof value === 'object' && typeof (value as Raw).path === 'string'
          ? ((value as Raw).path as string)
          : undefined;
    if (written !== undefined) files.push({ field, written, path: resolve(baseDir, written), set });
  };
  const nested = (key: 'scorer' | 'threshold', inner: string) => {
    const holder = spec[key];
    if (holder && typeof holder === 'object')
      look((holder as Raw)[inner], `${key}.${inner}`, (s, ref) => (s[key] = { ...(s[key] as Raw), [inner]: ref }));
  };
  look(spec.pool, 'pool', (s, ref) => (s.pool = ref));
  look(spec.labeled, 'labeled', (s, ref) => (s.labeled = ref));
  nested('scorer', 'model');
  nested('threshold', 'reference');
  return files;
}

/**
 * Gets a session spec ready to start: `{ path }` (or a plain path string) for the pool, the
 * labeled set and the scorer's model are uploaded, the retrain and evaluate steps' local files
 * and build contexts too, and everything is validated, including the pipeline each round will
 * run. Everything is checked before anything is uploaded, so a refused spec leaves nothing
 * behind. Throws a LabelingSpecError listing every problem.
 */
export async function prepareLabelingSession(
  raw: unknown,
  opts: { baseDir: string; store: ArtifactStore },
): Promise<{ spec: Raw; validated: LabelingSessionSpec }> {
  const shape = notAMapping(raw, 'labeling session spec', SESSION_NEEDS);
  if (shape) throw new LabelingSpecError([shape]);
  const spec: Raw = { ...(raw as Raw) };
  const files = sessionFiles(spec, opts.baseDir);
  const problems = files
    .filter((f) => !existsSync(f.path))
    .map((f) => `${f.field}: ${f.written} does not exist (looked for ${f.path})`);

  // The spec as it will be, with stand-ins for the files not uploaded yet.
  const draft = structuredClone(spec);
  for (const f of files) f.set(draft, standIn(f.field.split('.').at(-1)!));
  try {
    const validated = validateLabelingSpec(draft);
    validatePipeline(
      roundPipelineSpec(
        { ...validated, retrain: spec.retrain as Raw, evaluate: spec.evaluate as Raw },
        validated.labeled,
      ),
    );
  } catch (err) {
    if (err instanceof LabelingSpecError) problems.push(...err.problems);
    else if (err instanceof PipelineSpecError) problems.push(...err.problems.map((p) => `the round's pipeline: ${p}`));
    else throw err;
  }
  // The steps' own files, checked exactly as a pipeline's are (their fields were validated just above).
  let steps: PipelineUploadPlan | undefined;
  const stepsValid = !problems.some((p) => /^(retrain|evaluate)\b/.test(p));
  if (
    stepsValid &&
    spec.retrain &&
    typeof spec.retrain === 'object' &&
    spec.evaluate &&
    typeof spec.evaluate === 'object'
  ) {
    try {
      steps = planPipeline(
        {
          name: 'session',
          steps: [
            { ...(spec.retrain as Raw), name: 'retrain' },
            { ...(spec.evaluate as Raw), name: 'evaluate' },
          ],
        },
        opts,
      );
    } catch (err) {
      if (!(err instanceof PipelineSpecError)) throw err;
      problems.push(...err.problems.map((p) => p.replace(/^step "(retrain|evaluate)", field /, '$1.')));
    }
  }
  if (problems.length) throw new LabelingSpecError([...new Set(problems)]);

  // Nothing was refused: now upload.
  for (const f of files) f.set(spec, await opts.store.put(f.path, f.field.split('.').at(-1)!));
  if (steps) {
    const [retrain, evaluate] = ((await steps.upload(opts.store)).steps as Raw[]).map(
      ({ name: _name, ...step }) => step,
    );
    spec.retrain = retrain;
    spec.evaluate = evaluate;
  }
  return { spec, validated: validateLabelingSpec(spec) };
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
    args: [{ spec, ...(opts.consoleUrl ? { consoleUrl: opts.consoleUrl } : {}) }],
    typedSearchAttributes: new TypedSearchAttributes([
      { key: PipelineName, value: validated.name },
      { key: LabelingStatus, value: 'selecting' },
    ]),
  });
}
