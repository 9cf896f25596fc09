import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DeployRequest, DeploymentStatus } from './serving.js';

/** What `deploy` answers once the version is resolved and its rollout is queued. */
export interface DeployAccepted {
  version: string;
  /** The canary steps the rollout will take (a first deploy goes straight to 100%). */
  steps: number[];
  dwellMs: number;
}

/** Why a rollout command was accepted (the state it changed). */
export interface CommandAccepted {
  state: DeploymentStatus['state'];
  version?: string;
}

/** Starts the rollout of a registry version (validated: the request's shape, then the registry). */
export const deployUpdate = defineUpdate<DeployAccepted, [DeployRequest]>('deploy');
/** Skips the remaining canary steps: the canary takes all traffic and becomes stable. */
export const promoteUpdate = defineUpdate<CommandAccepted, []>('promote');
/** Sends all traffic back to the stable version and removes the canary. */
export const rollbackUpdate = defineUpdate<CommandAccepted, [{ reason?: string }]>('rollback');
/** Holds the rollout at its current weight; gates are not judged while paused. */
export const pauseUpdate = defineUpdate<CommandAccepted, []>('pause');
export const resumeUpdate = defineUpdate<CommandAccepted, []>('resume');
/** Stops every model server and the proxy; the workflow ends. */
export const stopUpdate = defineUpdate<CommandAccepted, []>('stop');
/** Versions, weights, gate readings and the history of decisions. */
export const deploymentStatusQuery = defineQuery<DeploymentStatus>('status');
/** Sent by the deployment's monitor when a live batch raised an alarm. */
export const servingDriftSignal = defineSignal<[{ batch: string; checks: string[] }]>('servingDrift');
