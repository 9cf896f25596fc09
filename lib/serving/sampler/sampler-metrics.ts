import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { LATENCY_BUCKETS_MS } from '../../../common/serving.js';

/** The sampler's Prometheus metrics, per version (HAProxy's server name). */
export function samplerMetrics() {
  const registry = new Registry();
  return {
    registry,
    latency: new Histogram({
      name: 'tidemark_serving_request_duration_ms',
      help: 'Time the model server took to answer /invocations (HAProxy Tr), per version',
      labelNames: ['version'],
      buckets: LATENCY_BUCKETS_MS,
      registers: [registry],
    }),
    requests: new Counter({
      name: 'tidemark_serving_requests_total',
      help: 'Requests through the proxy, per version and status class',
      labelNames: ['version', 'code'],
      registers: [registry],
    }),
    sampledRows: new Counter({
      name: 'tidemark_serving_sampled_rows_total',
      help: 'Rows sampled into batches',
      registers: [registry],
    }),
    unreadable: new Counter({
      name: 'tidemark_serving_unreadable_samples_total',
      help: 'Sampled requests whose body was not one of MLflow’s input formats (or was cut short)',
      registers: [registry],
    }),
    shipped: new Gauge({
      name: 'tidemark_serving_batches_shipped',
      help: 'Batches uploaded and delivered',
      registers: [registry],
    }),
    shipFailures: new Gauge({
      name: 'tidemark_serving_ship_failures',
      help: 'Failed attempts to ship a batch (retried)',
      registers: [registry],
    }),
  };
}
