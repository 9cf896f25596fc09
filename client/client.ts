import { Client, Connection } from '@temporalio/client';
import type { TidemarkConfig } from '../common/config.js';

/** A Temporal client for the configured server and namespace. Close it with `client.connection.close()`. */
export async function connectClient(config: TidemarkConfig): Promise<Client> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ address: config.temporal.address, connectTimeout: 5000 });
  } catch (err) {
    throw new Error(
      `Cannot reach Temporal at ${config.temporal.address}. Fix: start the stack with \`npm run stack\`, or set TEMPORAL_ADDRESS. (${(err as Error).message})`,
      { cause: err },
    );
  }
  return new Client({ connection, namespace: config.temporal.namespace });
}

/** The Web UI page of one workflow execution. */
export function workflowUiUrl(config: TidemarkConfig, workflowId: string, runId?: string): string {
  const base = `${config.temporal.uiUrl}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
}
