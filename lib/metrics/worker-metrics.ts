import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Tidemark's metric names, shared by the worker that records them and the console that charts them. */
export const METRIC = {
  steps: 'tidemark_steps_total',
  stepDuration: 'tidemark_step_duration_seconds',
  stepQueue: 'tidemark_step_queue_seconds',
  cacheLookups: 'tidemark_step_cache_lookups_total',
  checks: 'tidemark_checks_total',
  checkAlarms: 'tidemark_check_alarms_total',
  labels: 'tidemark_labels_received_total',
  trackingBacklog: 'tidemark_tracking_backlog',
  trackingFailures: 'tidemark_tracking_failures_total',
} as const;

/** Step durations from a no-op container (0.2 s) to a long training run (hours). */
const DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800, 3600, 4 * 3600];
/** How long an activity waited for a worker: milliseconds when workers are free, minutes when they are not. */
const QUEUE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * Tidemark's own Prometheus metrics of one worker process (prom-client, in a registry of their
 * own): steps by state and backend, cache look-ups, step and queue durations as histograms, check
 * verdicts and alarms by plugin, labels received, and the tracking backlog. The Temporal SDK's
 * runtime metrics are exported beside them (workers/metrics-server.ts).
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  readonly steps = new Counter({
    name: METRIC.steps,
    help: 'Step attempts that ended, by how they ended (succeeded, cached, failed, cancelled) and container backend.',
    labelNames: ['state', 'backend'] as const,
    registers: [this.registry],
  });
  readonly stepDuration = new Histogram({
    name: METRIC.stepDuration,
    help: 'Wall time of a step attempt inside its activity (cache look-up, inputs, container, outputs), in seconds.',
    labelNames: ['state', 'backend'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  readonly stepQueue = new Histogram({
    name: METRIC.stepQueue,
    help: 'Time a step attempt waited between being scheduled and a worker starting it, in seconds.',
    labelNames: ['backend'] as const,
    buckets: QUEUE_BUCKETS,
    registers: [this.registry],
  });
  readonly cacheLookups = new Counter({
    name: METRIC.cacheLookups,
    help: 'Step cache look-ups by result (hit or miss).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly checks = new Counter({
    name: METRIC.checks,
    help: 'Batches checked, by checker plugin and verdict (alarm true or false).',
    labelNames: ['plugin', 'alarm'] as const,
    registers: [this.registry],
  });
  readonly checkAlarms = new Counter({
    name: METRIC.checkAlarms,
    help: 'Checks that raised an alarm, by checker plugin.',
    labelNames: ['plugin'] as const,
    registers: [this.registry],
  });
  readonly labels = new Counter({
    name: METRIC.labels,
    help: 'Labels a labeling session received, by channel (signal or update) and verdict (accepted, unchanged, rejected).',
    labelNames: ['via', 'verdict'] as const,
    registers: [this.registry],
  });
  readonly trackingBacklog = new Gauge({
    name: METRIC.trackingBacklog,
    help: 'Finished steps being recorded in MLflow by this worker right now (a backlog grows while MLflow is slow or away).',
    registers: [this.registry],
  });
  readonly trackingFailures = new Counter({
    name: METRIC.trackingFailures,
    help: 'Tracking activity attempts that failed (MLflow down or refusing); Temporal retries them.',
    registers: [this.registry],
  });

  /**
   * Starts the counters of a backend (and of the built-in checkers) at zero, so that each series
   * exists before its first step and a rate over it sees the first steps too (Prometheus shows no
   * increase for a series that first appears at 2).
   */
  zero(backend: string, plugins: readonly string[] = []): void {
    for (const state of ['succeeded', 'cached', 'failed', 'cancelled']) {
      this.steps.inc({ state, backend }, 0);
      this.stepDuration.zero({ state, backend });
    }
    this.stepQueue.zero({ backend });
    for (const result of ['hit', 'miss']) this.cacheLookups.inc({ result }, 0);
    for (const plugin of plugins) {
      this.checkAlarms.inc({ plugin }, 0);
      for (const alarm of ['true', 'false']) this.checks.inc({ plugin, alarm }, 0);
    }
  }

  /** The metrics in Prometheus's text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}

let shared: WorkerMetrics | undefined;

/** The process's metrics: every worker in one process records into the same registry, which one endpoint serves. */
export function workerMetrics(): WorkerMetrics {
  shared ??= new WorkerMetrics();
  return shared;
}
