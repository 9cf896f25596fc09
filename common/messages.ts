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
  /** A sharded map's items by how they ended (its items are not listed one by one: see failedItems). */
  items?: ItemCounts;
  /** A sharded map's failed items, the first MAX_FAILED_ITEMS of them. */
  failedItems?: FailedItem[];
}

/** How the items of a map ended, counted. */
export interface ItemCounts {
  total: number;
  succeeded: number;
  cached: number;
  failed: number;
  cancelled: number;
}

/** One failed item of a sharded map. */
export interface FailedItem {
  index: number;
  reason: string;
  exitCode?: number;
}

/** How many failed items a sharded map keeps (the counts hold them all). */
export const MAX_FAILED_ITEMS = 100;

export interface PipelineStatus {
  name: string;
  state: 'running' | 'succeeded' | 'failed' | 'cancelled';
  steps: StepState[];
  startedAt: number;
  endedAt?: number;
  /** A pipeline that continued as new: how many runs came before this one, and how their steps ended. */
  earlier?: { runs: number; steps: Partial<Record<StepStateName, number>> };
  /** Read from a closed pipeline's result or failure: steps of its last run that `steps` leaves out. */
  stepsOmitted?: number;
  /** Read from a closed pipeline's result or failure: every step by how it ended, earlier runs' included. */
  counts?: Partial<Record<StepStateName, number>>;
}

/** Every step's state, with durations and output refs. */
export const statusQuery = defineQuery<PipelineStatus>('status');
