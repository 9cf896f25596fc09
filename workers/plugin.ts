import type { ClientOptions } from '@temporalio/client';
import { SimplePlugin } from '@temporalio/plugin';
import type { BundleOptions, Worker, WorkerOptions } from '@temporalio/worker';
import type { TidemarkConfig, TidemarkConfigInput } from '../common/config.js';
import { createActivities } from '../activities/index.js';
import type { TidemarkDeps } from '../activities/deps.js';
import { sweepFinishedSteps } from '../activities/steps/sweep-finished-steps.js';
import * as workflows from '../workflows/index.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { workerMetrics } from '../lib/metrics/worker-metrics.js';
import { createDeps } from './deps.js';
import { activityMetrics } from './metrics/activity-metrics.js';
import { metricSinks } from './metrics/metric-sinks.js';
import { registerSearchAttributes } from './search-attributes.js';
import { SHARED_WORKFLOW_MODULES } from './shared-workflow-modules.js';
import { workflowsEntry } from './workflows-entry.js';

export { SHARED_WORKFLOW_MODULES };

export interface TidemarkPluginOptions {
  /** Config; unset fields come from environment variables, then dev defaults. */
  config?: TidemarkConfigInput;
  /** Replace some dependencies of the activities (tests, custom stores). */
  deps?: Partial<TidemarkDeps>;
}

/** How long a stopping worker waits for the clean-up of steps that have reported. */
const CLEANUP_DRAIN_MS = 30_000;

function withShared(existing: string[] | undefined): string[] {
  return [...new Set([...(existing ?? []), ...SHARED_WORKFLOW_MODULES])];
}

/**
 * Tidemark as a Temporal plugin. One line on a worker registers Tidemark's activities and
 * workflows (bundled alongside the worker's own) and its search attributes:
 *
 *   Worker.create({ connection, taskQueue, workflowsPath, plugins: [new TidemarkPlugin()] })
 *
 * On a client it sets the namespace when none is given.
 */
export class TidemarkPlugin extends SimplePlugin {
  readonly config: TidemarkConfig;
  readonly deps: TidemarkDeps;

  constructor(options: TidemarkPluginOptions = {}) {
    const config = resolveConfig(options.config);
    const deps = createDeps(config, options.deps);
    super({
      name: 'tidemark',
      activities: createActivities(deps),
      workflowsPath: (existing) => workflowsEntry(existing, Object.keys(workflows), config.state.bundleDir),
      workerInterceptors: { activity: [activityMetrics(workerMetrics(), config.containers.backend)] },
    });
    this.config = config;
    this.deps = deps;
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker({
      ...options,
      namespace: options.namespace ?? this.config.temporal.namespace,
      // Step activities heartbeat every 2 s; flushing at least every 3 s delivers a cancellation
      // (and the latest log lines) promptly instead of at 80% of the heartbeat timeout.
      maxHeartbeatThrottleInterval: options.maxHeartbeatThrottleInterval ?? '3 seconds',
      maxCachedWorkflows: options.maxCachedWorkflows ?? this.config.worker.maxCachedWorkflows,
      // Workflows report what the worker counts (labels received) through sinks, skipped on replay.
      sinks: { ...options.sinks, ...metricSinks(workerMetrics()) },
    });
    // A prebuilt bundle already holds Tidemark's workflows (the bundler ran this plugin too).
    if (options.workflowBundle) delete configured.workflowsPath;
    else
      configured.bundlerOptions = {
        ...configured.bundlerOptions,
        preloadModules: withShared(configured.bundlerOptions?.preloadModules),
      };
    return configured;
  }

  override configureBundler(options: BundleOptions): BundleOptions {
    const configured = super.configureBundler(options);
    return { ...configured, preloadModules: withShared(configured.preloadModules) };
  }

  override configureClient(options: ClientOptions): ClientOptions {
    return super.configureClient({ ...options, namespace: options.namespace ?? this.config.temporal.namespace });
  }

  override async runWorker(worker: Worker, next: (w: Worker) => Promise<void>): Promise<void> {
    const connection = worker.connection;
    if (connection) {
      const added = await registerSearchAttributes(connection.operatorService, worker.options.namespace);
      if (added.length) this.deps.logger.info({ added }, 'registered search attributes');
    }
    // Finished steps' containers and folders that a worker which died before removing them left,
    // swept beside the worker's start rather than before it.
    this.deps.cleanup.later('sweep of finished step containers', async () => {
      const swept = await sweepFinishedSteps(this.deps);
      if (swept.length)
        this.deps.logger.info({ containers: swept }, 'removed finished step containers left by an earlier worker');
    });
    // Partial downloads and multipart uploads of workers killed mid-transfer.
    this.deps.cleanup.later('sweep of abandoned scratch files and uploads', async () => {
      const swept = await this.deps.store.sweepAbandoned?.();
      if (swept && (swept.files || swept.uploads))
        this.deps.logger.info(swept, 'removed partial transfers left by an earlier worker');
    });
    try {
      return await super.runWorker(worker, next);
    } finally {
      await this.deps.cleanup.drain(CLEANUP_DRAIN_MS); // the last steps' containers, removed after they reported
    }
  }
}
