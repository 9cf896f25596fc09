/**
 * `npm run worker`: a Tidemark worker on the configured task queue. It makes sure the embedded
 * stack is up first (pass --no-stack when the services run elsewhere).
 */
import { Command } from 'commander';
import { Stack } from '../scripts/stack/stack';
import { resolveConfig } from './config';
import { createTidemarkWorker } from './create-worker';

const opts = new Command('worker').option('--no-stack', 'do not start the embedded stack').parse().opts<{ stack: boolean }>();

async function main(): Promise<void> {
  const config = resolveConfig();
  if (opts.stack) await Stack.ensure({ config });
  const { worker, plugin, connection } = await createTidemarkWorker({ config });
  plugin.deps.logger.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, address: config.temporal.address }, 'Tidemark worker polling');
  try {
    await worker.run(); // Ctrl-C (SIGINT/SIGTERM) shuts it down gracefully
  } finally {
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(`worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
