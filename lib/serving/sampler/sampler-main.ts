/**
 * The sampler of one deployment: a small process beside its HAProxy, started by the worker and
 * left running on its own (it outlives a worker crash). HAProxy sends it one UDP log line per
 * request; it keeps per-version latency histograms and counts (Prometheus text on /metrics, read by
 * the rollout's gates) and turns sampled requests and their predictions into CSV batches that it
 * spools to disk, uploads to MinIO and sends to the deployment's monitor workflow.
 *
 * It is off the request path: HAProxy does not wait for it, so it cannot slow a request down.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Client as MinioClient } from 'minio';
import { ENV } from '../../../common/env.js';
import { Batcher } from './batcher.js';
import { parseLogLine } from './log-line.js';
import { requestRows, responsePredictions } from './payload.js';
import type { SamplerConfig } from './sampler-config.js';
import { samplerMetrics } from './sampler-metrics.js';
import { Shipper } from './shipper.js';

const log = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as SamplerConfig;
  const url = new URL(config.minio.endpoint);
  const minio = new MinioClient({
    endPoint: url.hostname,
    port: Number(url.port || 80),
    useSSL: url.protocol === 'https:',
    accessKey: config.minio.accessKey,
    secretKey: process.env[ENV.s3SecretKey] ?? '',
    region: 'us-east-1',
  });
  let temporal: TemporalClient | undefined;
  const monitor = config.monitor;
  const deliver = monitor
    ? async (batch: { uri: string }) => {
        temporal ??= new TemporalClient({
          connection: await Connection.connect({ address: monitor.temporalAddress }),
          namespace: monitor.namespace,
        });
        await temporal.workflow.getHandle(monitor.workflowId).signal('monitorBatch', { batch });
      }
    : undefined;
  const m = samplerMetrics();
  const shipper = new Shipper(minio, {
    spoolDir: config.spoolDir,
    bucket: config.minio.bucket,
    prefix: config.prefix,
    deliver,
    log,
  });
  const batcher = new Batcher(config.spoolDir, config, () => shipper.kick());
  shipper.kick(); // batches a previous sampler spooled and did not ship

  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  socket.on('message', (msg) => {
    const r = parseLogLine(msg.toString('latin1'));
    if (!r || r.path !== '/invocations') return;
    const version = r.server;
    m.requests.inc({ version, code: `${Math.floor(r.status / 100)}xx` });
    if (r.serverMs >= 0) m.latency.observe({ version }, r.serverMs);
    if (!r.request) return;
    const rows = requestRows(r.request);
    if (!rows || rows.rows.length === 0) {
      m.unreadable.inc();
      return;
    }
    if (r.status !== 200) return; // a failed answer has no predictions to pair with its rows
    m.sampledRows.inc(rows.rows.length);
    batcher
      .add(rows, version, r.response ? responsePredictions(r.response) : undefined)
      .catch((err: unknown) => log(`batch not written: ${(err as Error).message}`));
  });
  socket.bind(config.logPort, '127.0.0.1');

  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    m.shipped.set(shipper.shipped);
    m.shipFailures.set(shipper.failures);
    m.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': m.registry.contentType }).end(text),
      (err: Error) => res.writeHead(500).end(err.message),
    );
  });
  server.listen(config.metricsPort, '127.0.0.1');
  log(
    `sampler of ${config.deploymentId}: log udp 127.0.0.1:${config.logPort}, metrics http://127.0.0.1:${config.metricsPort}/metrics`,
  );

  const stop = () => {
    log('stopping: writing the open batch to the spool');
    socket.close();
    server.close();
    void batcher
      .cut()
      .then(() => Promise.race([shipper.idle(), new Promise((r) => setTimeout(r, 5000))]))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`sampler: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
