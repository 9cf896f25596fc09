import type { Sinks } from '@temporalio/workflow';

/**
 * What workflow code reports to the worker's metrics (workflows cannot touch prom-client): the
 * worker implements these sinks and does not call them again while a workflow replays, so
 * nothing is counted twice.
 */
export interface TidemarkMetricSinks extends Sinks {
  tidemarkMetrics: {
    /** A labeling session took a submission: how many of its labels were accepted, unchanged and rejected. */
    labelsReceived(via: 'signal' | 'update', verdict: { accepted: number; unchanged: number; rejected: number }): void;
  };
}
