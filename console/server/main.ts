/**
 * The console as a process of its own (the stack starts it as a daemon): serves on the
 * configured address until SIGINT or SIGTERM.
 */
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { startConsole } from './start-console.js';

async function main(): Promise<void> {
  const running = await startConsole(resolveConfig(), { logger: true });
  console.log(`Tidemark console: ${running.url}`);
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`console: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
