/**
 * The worker a deployment runs (`tidemark-worker`, or `node dist/workers/main.js`): a Tidemark
 * worker on the configured server and task queue, until SIGINT or SIGTERM. Development runs it
 * through scripts/dev-worker.ts, which starts the embedded stack first.
 */
import { pathToFileURL } from 'node:url';
import type { TidemarkConfig } from '../common/config.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { createTidemarkWorker } from './create-worker.js';

export async function runWorker(config: TidemarkConfig = resolveConfig()): Promise<void> {
  const { worker, plugin, connection } = await createTidemarkWorker({ config });
  plugin.deps.logger.info(
    { taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, address: config.temporal.address },
    'Tidemark worker polling',
  );
  try {
    await worker.run(); // Ctrl-C (SIGINT/SIGTERM) shuts it down gracefully
  } finally {
    await connection.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runWorker().catch((err: unknown) => {
    console.error(`worker: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
