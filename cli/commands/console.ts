import { resolveConfig } from '../../lib/config/resolve-config.js';
import { startConsole } from '../../console/server/start-console.js';

/** `tidemark console`: serves the console on loopback until Ctrl-C. */
export async function consoleCommand(opts: { address?: string }): Promise<void> {
  const config = resolveConfig(opts.address ? { console: { address: opts.address } } : {});
  const running = await startConsole(config);
  console.log(`Tidemark console: ${running.url}  (Ctrl-C stops it)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await running.close();
}
