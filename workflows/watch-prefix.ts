import { LONG_ACTIVITY_HEARTBEAT_TIMEOUT } from '../common/activity-timeouts.js';
import { getExternalWorkflowHandle, proxyActivities } from '@temporalio/workflow';
import type { TidemarkActivities } from '../activities/index.js';
import { monitorBatchSignal } from './monitor.js';

export interface WatchPrefixInput {
  bucket: string;
  prefix: string;
  /** The monitor workflow that receives each new object as a batch. */
  monitorWorkflowId: string;
}

const acts = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: LONG_ACTIVITY_HEARTBEAT_TIMEOUT,
  retry: { maximumAttempts: 5 },
});

/**
 * Run by a Temporal Schedule: sends every new object under a MinIO prefix to a monitor, once.
 * `tidemark`'s `scheduleMonitorScan()` creates the schedule.
 */
export async function watchPrefix(input: WatchPrefixInput): Promise<number> {
  const fresh = await acts.scanPrefix({ bucket: input.bucket, prefix: input.prefix, watcher: input.monitorWorkflowId });
  if (fresh.length === 0) return 0;
  const monitor = getExternalWorkflowHandle(input.monitorWorkflowId);
  for (const batch of fresh) await monitor.signal(monitorBatchSignal, { batch });
  await acts.markSeen({ watcher: input.monitorWorkflowId, bucket: input.bucket, objects: fresh });
  return fresh.length;
}
