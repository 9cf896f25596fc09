import type { ArtifactRef } from './artifact.js';
import type { StepSpec } from './step-spec.js';

/** The fields of a container step that reach the `runStep` activity as they are in the spec. */
export const STEP_RUN_FIELDS = [
  'command',
  'args',
  'env',
  'secretEnv',
  'params',
  'outputs',
  'resources',
  'network',
  'cache',
  'runAsRoot',
] as const satisfies readonly (keyof StepSpec)[];

/**
 * What the workflow hands the `runStep` activity: a fully resolved step, refs only. Its step
 * fields are the spec's (STEP_RUN_FIELDS: `secretEnv` names worker variables, resolved inside the
 * activity only); the rest is the run's.
 */
export type RunStepInput = Pick<StepSpec, (typeof STEP_RUN_FIELDS)[number]> & {
  /** Unique within the workflow run: `train`, `train[2]` (a map item), `sub/train` (nested). */
  stepKey: string;
  /** The workflow-level attempt: a container that failed is run again under a new attempt. */
  attempt: number;
  pipeline?: string;
  /** The image to run: the spec's `image`, or the one its `build` made. */
  image: string;
  inputs: Record<string, ArtifactRef | ArtifactRef[]>;
  /** The container is stopped, and the step fails, after this long. */
  timeoutMs: number;
  /** MLflow run the step reports into (set by the pipeline when tracking is on). */
  mlflowRunId?: string;
};

export interface StepResult {
  stepKey: string;
  cached: boolean;
  outputs: Record<string, ArtifactRef>;
  metrics: Record<string, number>;
  exitCode: number;
  durationMs: number;
  imageDigest: string;
  cacheKey: string;
  log?: ArtifactRef;
  container?: string;
}

export interface BuildImageInput {
  stepKey: string;
  context: string | ArtifactRef;
  dockerfile?: string;
  args?: Record<string, string>;
  network?: 'none' | 'host';
}

export interface BuildImageResult {
  image: string;
  digest: string;
  cached: boolean;
}

/** Heartbeat details of a running step, readable in the Web UI and by `tidemark logs`. */
export interface StepHeartbeat {
  stepKey?: string;
  phase: 'cache-lookup' | 'downloading' | 'running' | 'uploading';
  container?: string;
  lastLines: string[];
}
