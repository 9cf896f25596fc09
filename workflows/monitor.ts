import { LONG_ACTIVITY_HEARTBEAT_TIMEOUT } from '../common/activity-timeouts.js';
import {
  ActivityCancellationType,
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TidemarkActivities } from '../activities/index.js';
import type { ArtifactRef } from '../common/artifact.js';
import type { CheckBatchResult } from '../common/check.js';
import { DriftAlarm } from '../common/search-attributes.js';
import { servingDriftSignal } from '../common/serving-messages.js';

export interface MonitorCheck {
  plugin: string;
  config?: Record<string, unknown>;
  reference?: ArtifactRef;
  /** A fitted state; filled in after the first batch so later batches skip the fit. */
  state?: ArtifactRef;
}

export interface MonitorReport {
  batch: ArtifactRef;
  at: number;
  checks: Omit<CheckBatchResult, 'state'>[];
  alarm: boolean;
}

export interface MonitorInput {
  name: string;
  checks: MonitorCheck[];
  /** How many recent reports stay queryable (default 20). */
  keepReports?: number;
  /** Batches per run before continuing as new, so history stays bounded for months (default 100). */
  batchesPerRun?: number;
  /** Carried across continue-as-new. */
  reports?: MonitorReport[];
  queue?: ArtifactRef[];
  checked?: number;
  /** A workflow told of every alarm (a deployment whose live traffic this monitor checks). */
  notify?: { workflowId: string };
}

/** Sends a batch (an artifact ref) to a monitor. */
export const monitorBatchSignal = defineSignal<[{ batch: ArtifactRef }]>('monitorBatch');
/** The most recent reports, newest last. */
export const monitorReportsQuery = defineQuery<MonitorReport[]>('reports');
/** How many batches the monitor has checked since it started (across continue-as-new). */
export const monitorCountQuery = defineQuery<number>('checked');

const { checkBatch } = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: LONG_ACTIVITY_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/**
 * A long-running monitor: runs its checkers on every batch it is sent, keeps the last reports
 * queryable, raises DriftAlarm on an alarm, and continues as new to keep its history small.
 */
export async function monitor(input: MonitorInput): Promise<void> {
  const keep = input.keepReports ?? 20;
  const perRun = input.batchesPerRun ?? 100;
  const reports = [...(input.reports ?? [])];
  const queue = [...(input.queue ?? [])];
  const checks = input.checks.map((c) => ({ ...c }));
  let checked = input.checked ?? 0;
  let thisRun = 0;
  setHandler(monitorBatchSignal, ({ batch }) => void queue.push(batch));
  setHandler(monitorReportsQuery, () => reports);
  setHandler(monitorCountQuery, () => checked);

  for (;;) {
    await condition(() => queue.length > 0 || thisRun >= perRun || workflowInfo().continueAsNewSuggested);
    if (queue.length === 0 || thisRun >= perRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof monitor>({ ...input, checks, reports, queue, checked });
    }
    const batch = queue.shift()!;
    const results: CheckBatchResult[] = [];
    for (const [i, c] of checks.entries()) {
      const r = await checkBatch.executeWithOptions({ summary: `batch ${checked} · ${c.plugin} · checkBatch` }, [
        {
          stepKey: `${input.name}/${i}/${checked}`,
          plugin: c.plugin,
          config: c.config ?? {},
          batch,
          reference: c.reference,
          state: c.state,
        },
      ]);
      if (r.state && !c.state) c.state = r.state; // fitted once, reused for every later batch
      results.push(r);
    }
    const alarm = results.some((r) => r.alarm);
    reports.push({ batch, at: Date.now(), alarm, checks: results.map(({ state: _state, ...rest }) => rest) });
    if (reports.length > keep) reports.splice(0, reports.length - keep);
    if (alarm) {
      upsertSearchAttributes([{ key: DriftAlarm, value: true }]);
      if (input.notify)
        await getExternalWorkflowHandle(input.notify.workflowId)
          .signal(servingDriftSignal, { batch: batch.uri, checks: results.filter((r) => r.alarm).map((r) => r.plugin) })
          .catch(() => undefined); // the deployment may have stopped: the alarm stays on the monitor
    }
    checked++;
    thisRun++;
  }
}
