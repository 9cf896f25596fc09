import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import type { TidemarkConfig } from '../../../common/config.js';
import { registerSearchAttributes } from '../../../workers/search-attributes.js';
import { waitUntil } from '../daemon.js';

/** Runs `fn` with a connection to the Temporal frontend at `address`, closed afterwards. */
export async function withTemporalConnection<T>(address: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    return await fn(connection);
  } finally {
    await connection.close();
  }
}

/** True when a Temporal frontend answers at `address`. */
export async function temporalAnswers(address: string): Promise<boolean> {
  return withTemporalConnection(address, async (c) => {
    await c.workflowService.getSystemInfo({});
    return true;
  }).catch(() => false);
}

/**
 * Registers Tidemark's namespace (7 days' retention) when it is missing, and its search
 * attributes; idempotent, whichever server answers (dev server or production server).
 */
export async function prepareNamespace(config: TidemarkConfig): Promise<void> {
  await withTemporalConnection(config.temporal.address, async (c) => {
    const namespace = config.temporal.namespace;
    try {
      await c.workflowService.describeNamespace({ namespace });
    } catch {
      await c.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('7 days') });
      // A new namespace reaches the server's namespace cache on its next refresh (every 2 s by default).
      const listed = async () => Boolean(await c.operatorService.listSearchAttributes({ namespace }));
      await waitUntil(
        `The namespace ${namespace}`,
        listed,
        30_000,
        'The Temporal server registered it but does not serve it; see its log.',
      );
    }
    await registerSearchAttributes(c.operatorService, namespace);
  });
}
