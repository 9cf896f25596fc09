import Fastify from 'fastify';
import type { WorkerMetrics } from '../../lib/metrics/worker-metrics.js';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves a worker process's Prometheus metrics at `http://<address>/metrics`: Tidemark's own
 * (prom-client) followed by the Temporal SDK's runtime metrics, which the SDK's exporter serves
 * on a loopback port of its own (`sdkAddress`); one scrape target has both.
 */
export async function startMetricsServer(opts: {
  address: string;
  metrics: WorkerMetrics;
  sdkAddress?: string;
}): Promise<MetricsServer> {
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    const own = await opts.metrics.text();
    const sdk = opts.sdkAddress
      ? await fetch(`http://${opts.sdkAddress}/metrics`, { signal: AbortSignal.timeout(2000) })
          .then((r) => (r.ok ? r.text() : ''))
          .catch(() => '')
      : '';
    return reply.type(opts.metrics.registry.contentType).send(`${own}\n${sdk}`);
  });
  app.get('/', async (_req, reply) => reply.type('text/plain').send('Tidemark worker metrics: /metrics\n'));
  const [host, port] = opts.address.split(':') as [string, string];
  try {
    await app.listen({ host, port: Number(port) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw new Error(
        `the worker's metrics address ${opts.address} is taken (another worker on this machine?): set TIDEMARK_METRICS_ADDRESS to a free host:port, or to off`,
        { cause: err },
      );
    throw err;
  }
  const bound = app.server.address();
  return {
    url: `http://${host}:${typeof bound === 'object' && bound ? bound.port : port}/metrics`,
    close: () => app.close(),
  };
}
