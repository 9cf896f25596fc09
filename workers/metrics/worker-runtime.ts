import { createServer } from 'node:net';
import { Runtime } from '@temporalio/worker';
import { IllegalStateError } from '@temporalio/common';

/** A free loopback port, for the SDK's metrics exporter (which the metrics server reads from). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Installs the Temporal SDK's runtime with its Prometheus exporter on a free loopback port and
 * returns that address (the worker's metrics server adds what it serves to Tidemark's metrics).
 * A runtime can be installed once per process, before the first connection: when one was
 * installed already (by the embedding application, or a test's hooks), it is kept and the SDK's
 * metrics are whatever that runtime exports.
 */
export async function installWorkerRuntime(): Promise<{ sdkAddress?: string; note?: string }> {
  const sdkAddress = `127.0.0.1:${await freePort()}`;
  try {
    Runtime.install({
      telemetryOptions: { metrics: { prometheus: { bindAddress: sdkAddress, useSecondsForDurations: true } } },
    });
    return { sdkAddress };
  } catch (err) {
    if (err instanceof IllegalStateError)
      return { note: "a Temporal runtime was installed before this worker's: the SDK's metrics are left to it" };
    throw err;
  }
}
