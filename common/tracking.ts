import type { ArtifactRef } from './artifact.js';
import type { StepStateName } from './messages.js';

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
  /** When the step started and ended (ms since the epoch, workflow time): the run's start and end time in MLflow. */
  startedAt?: number;
  endedAt?: number;
}

export interface TrackStepEndResult {
  modelVersion?: string;
}

/** One finished step to record: into its own run when `runId` is set (the step logged into it), else into a new child run. */
export type TrackStepRecord = Omit<TrackStepEndInput, 'runId'> & { runId?: string };

/** Finished steps recorded by one activity call (the pipeline batches the steps that finish while a call is in flight). */
export interface TrackStepsInput {
  parent: PipelineTracking;
  steps: TrackStepRecord[];
  /** Set with the pipeline's last records: its run is then ended with this state, and given these metrics. */
  end?: { state: 'succeeded' | 'failed' | 'cancelled'; metrics?: Record<string, number> };
}

export interface TrackStepsResult {
  /** The model version each step registered, by step key. */
  modelVersions: Record<string, string>;
}
