import type { ArtifactRef } from './artifact';
import type { StepStateName } from './messages';

/** The MLflow run of one pipeline run (the parent of its step runs). */
export interface PipelineTracking {
  experimentId: string;
  runId: string;
  url: string;
}

export interface TrackPipelineStartInput {
  pipeline: string;
  params: Record<string, unknown>;
}

export interface TrackStepStartInput {
  parent: PipelineTracking;
  stepKey: string;
}

export interface TrackStepEndInput {
  runId: string;
  stepKey: string;
  state: StepStateName;
  /** Params worth recording: the step spec as run (no secrets), image digest, cache key. */
  params: Record<string, unknown>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
  outputs: Record<string, ArtifactRef | ArtifactRef[]>;
  log?: ArtifactRef;
  register?: { model: string; name: string };
}

export interface TrackStepEndResult {
  modelVersion?: string;
}
