import type { Command } from 'commander';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { startConsole } from '../../console/server/start-console.js';

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('serve the Tidemark console (pipelines, labeling, checks, metrics) on loopback until Ctrl-C')
    .option('--address <host:port>', 'where to listen (default TIDEMARK_CONSOLE_ADDRESS, else 127.0.0.1:8300)')
    .action(async (opts: { address?: string }) => {
      const config = resolveConfig(opts.address ? { console: { address: opts.address } } : {});
      const running = await startConsole(config);
      console.log(`Tidemark console: ${running.url}  (Ctrl-C stops it)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
    });
}
