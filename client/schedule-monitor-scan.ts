import type { Client, ScheduleHandle } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import type { WatchPrefixInput } from '../workflows/watch-prefix.js';

/**
 * A Temporal Schedule that looks for new objects under a MinIO prefix every `every` and sends
 * each to a monitor workflow (see workflows/watch-prefix.ts).
 */
export async function scheduleMonitorScan(
  client: Client,
  opts: WatchPrefixInput & { scheduleId: string; taskQueue: string; every: string },
): Promise<ScheduleHandle> {
  return client.schedule.create({
    scheduleId: opts.scheduleId,
    spec: { intervals: [{ every: opts.every as Duration }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'watchPrefix',
      taskQueue: opts.taskQueue,
      args: [{ bucket: opts.bucket, prefix: opts.prefix, monitorWorkflowId: opts.monitorWorkflowId }],
    },
    // A scan still running when the next is due is not doubled.
    policies: { overlap: 'SKIP' },
  });
}
