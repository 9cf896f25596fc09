import type { Client } from '@temporalio/client';
import type { TidemarkConfig } from '../common/config.js';
import { connectClient } from '../client/client.js';
import { resolveConfig } from '../lib/config/resolve-config.js';

/** Runs `fn` with a config and a connected client, closing the connection afterwards. */
export async function withClient<T>(fn: (client: Client, config: TidemarkConfig) => Promise<T>): Promise<T> {
  const config = resolveConfig();
  const client = await connectClient(config);
  try {
    return await fn(client, config);
  } finally {
    await client.connection.close();
  }
}
