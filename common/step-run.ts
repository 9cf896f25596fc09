import type { ArtifactRef } from './artifact.js';

/** What the workflow hands the `runStep` activity: a fully resolved step, refs only. */
export interface RunStepInput {
  /** Unique within the workflow run: `train`, `train[2]` (a map item), `sub/train` (nested). */
  stepKey: string;
  /** The workflow-level attempt: a container that failed is run again under a new attempt. */
  attempt: number;
  pipeline?: string;
  image: string;
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  /** Container variable -> worker environment variable; resolved inside the activity only. */
  secretEnv: Record<string, string>;
  params: Record<string, unknown>;
  inputs: Record<string, ArtifactRef | ArtifactRef[]>;
  outputs: Record<string, string>;
  resources: { cpus?: number; memoryMiB?: number; gpus?: number };
  network: 'none' | 'host';
  cache: { enabled: boolean; version: string };
  /** The container is stopped, and the step fails, after this long. */
  timeoutMs: number;
  /** MLflow run the step reports into (set by the pipeline when tracking is on). */
  mlflowRunId?: string;
}

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
