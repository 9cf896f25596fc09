import type { FastifyInstance } from 'fastify';
import type { TidemarkConfig } from '../../common/config.js';
import { buildConsoleApp } from './app.js';
import { ConsoleContext } from './context.js';

export interface RunningConsole {
  app: FastifyInstance;
  /** The URL it answers on (the bound port, when the address asked for port 0). */
  url: string;
  close(): Promise<void>;
}

/** Starts the console on the configured address (127.0.0.1:8300 unless set otherwise). */
export async function startConsole(
  config: TidemarkConfig,
  opts: { webDist?: string; logger?: boolean } = {},
): Promise<RunningConsole> {
  const ctx = ConsoleContext.create(config);
  const app = await buildConsoleApp(ctx, { webDist: opts.webDist, logger: opts.logger ? { level: 'warn' } : false });
  const [host, port] = config.console.address.split(':') as [string, string];
  try {
    await app.listen({ host, port: Number(port) });
  } catch (err) {
    await ctx.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(
        `the console's address ${config.console.address} is taken by another process: stop it, or set TIDEMARK_CONSOLE_ADDRESS to another host:port`,
        { cause: err },
      );
    throw err;
  }
  const bound = app.server.address();
  const url = typeof bound === 'object' && bound ? `http://${host}:${bound.port}` : `http://${config.console.address}`;
  return {
    app,
    url,
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}
