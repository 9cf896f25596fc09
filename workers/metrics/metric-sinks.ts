import type { InjectedSinks } from '@temporalio/worker';
import type { TidemarkMetricSinks } from '../../common/metrics-sinks.js';
import type { WorkerMetrics } from '../../lib/metrics/worker-metrics.js';

/** The worker side of the workflows' metric sinks (common/metrics-sinks.ts), never called during replay. */
export function metricSinks(metrics: WorkerMetrics): InjectedSinks<TidemarkMetricSinks> {
  return {
    tidemarkMetrics: {
      labelsReceived: {
        fn(_info, via, verdict) {
          for (const v of ['accepted', 'unchanged', 'rejected'] as const)
            if (verdict[v] > 0) metrics.labels.inc({ via, verdict: v }, verdict[v]);
        },
        callDuringReplay: false,
      },
    },
  };
}
