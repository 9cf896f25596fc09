import { defineQuery } from '@temporalio/workflow';
import type { ArtifactRef } from './artifact.js';

export type StepStateName = 'pending' | 'running' | 'cached' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

/** One step (or one map item) of a pipeline run, as the `status` query returns it. */
export interface StepState {
  key: string;
  step: string;
  kind: 'container' | 'check' | 'pipeline';
  state: StepStateName;
  mapIndex?: number;
  attempt?: number;
  startedAt?: number;
  endedAt?: number;
  durationMs?: number;
  outputs?: Record<string, ArtifactRef | ArtifactRef[]>;
  metrics?: Record<string, number>;
  log?: ArtifactRef;
  /** Why the step failed or was skipped. */
  reason?: string;
  exitCode?: number;
  /** The child workflow of a nested pipeline. */
  childWorkflowId?: string;
  image?: string;
}

export interface PipelineStatus {
  name: string;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  steps: StepState[];
  startedAt: number;
  endedAt?: number;
}

/** Every step's state, with durations and output refs. */
export const statusQuery = defineQuery<PipelineStatus>('status');
