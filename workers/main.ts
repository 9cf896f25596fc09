#!/usr/bin/env node
/**
 * The worker a deployment runs (`tidemark-worker`, or `node dist/workers/main.js`): a Tidemark
 * worker on the configured server and task queue, until SIGINT or SIGTERM, with its Prometheus
 * metrics on TIDEMARK_METRICS_ADDRESS (127.0.0.1:9464 unless set, or `off`). Development runs it
 * through scripts/dev-worker.ts, which starts the embedded stack first.
 */
import type { TidemarkConfig } from '../common/config.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { isProcessEntry } from '../lib/modules/sibling-module.js';
import { workerMetrics } from '../lib/metrics/worker-metrics.js';
import { createTidemarkWorker } from './create-worker.js';
import { defaultHeapWarning, heapLimitMb } from './heap-budget.js';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server.js';
import { installWorkerRuntime } from './metrics/worker-runtime.js';

export async function runWorker(config: TidemarkConfig = resolveConfig()): Promise<void> {
  const metricsOn = config.metrics.address !== 'off';
  const runtime = metricsOn ? await installWorkerRuntime() : {};
  const { worker, plugin, connection } = await createTidemarkWorker({ config });
  const log = plugin.deps.logger;
  let metrics: MetricsServer | undefined;
  if (metricsOn) {
    // A worker without metrics still works: a taken port is reported, not fatal.
    metrics = await startMetricsServer({
      address: config.metrics.address,
      metrics: workerMetrics(),
      sdkAddress: runtime.sdkAddress,
    }).catch((err: unknown) => {
      log.warn({ err: (err as Error).message }, 'worker metrics are not served');
      return undefined;
    });
    if (runtime.note) log.warn(runtime.note);
  }
  const heapWarning = defaultHeapWarning();
  if (heapWarning) log.warn(heapWarning);
  log.info(
    {
      taskQueue: config.temporal.taskQueue,
      namespace: config.temporal.namespace,
      address: config.temporal.address,
      metrics: metrics?.url,
      heapLimitMb: heapLimitMb(),
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
    },
    'Tidemark worker polling',
  );
  try {
    await worker.run(); // Ctrl-C (SIGINT/SIGTERM) shuts it down gracefully
  } finally {
    await metrics?.close();
    await connection.close();
  }
}

if (isProcessEntry(import.meta.url)) {
  runWorker().catch((err: unknown) => {
    console.error(`worker: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
