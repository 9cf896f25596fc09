import type { Client } from '@temporalio/client';
import type { TidemarkConfig } from '../common/config';
import { connectClient } from '../workers/client';
import { resolveConfig } from '../workers/config';

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
