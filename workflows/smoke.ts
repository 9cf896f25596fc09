import { proxyActivities } from '@temporalio/workflow';
import type { TidemarkActivities } from '../activities/index.js';
import type { SmokeResult } from '../activities/smoke.js';

const { smokeEcho } = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 3 },
});

export interface SmokeWorkflowInput {
  message?: string;
}

/** The first end-to-end slice: one container, one object in MinIO, one MLflow run. */
export async function smoke(input: SmokeWorkflowInput = {}): Promise<SmokeResult> {
  return smokeEcho({ message: input.message ?? 'hello from tidemark' });
}
