/**
 * HAProxy's configuration for one deployment: a loopback frontend for predictions, a backend
 * with one server per served version (weighted round robin, health-checked on MLflow's /ping),
 * a stats frontend with HAProxy's Prometheus exporter, the runtime API on a unix socket, and one
 * log line per request sent by UDP to the deployment's sampler. The sampler gets the request and
 * the response bodies of sampled requests in the same line, base64-encoded; HAProxy sends logs
 * without waiting for anyone, so a slow or absent sampler never slows a request.
 *
 * The file is written on every change, so a restarted HAProxy comes back with the servers and
 * weights the workflow wants; while it runs, changes go through the runtime API (no reload, no
 * dropped connection).
 */

export interface ProxyServer {
  /** `v<version>`: the name in HAProxy's metrics and logs. */
  name: string;
  port: number;
  /** 0-100: the share of new requests. */
  weight: number;
}

export interface ProxySpec {
  /** Folder of this proxy's files: config, pid file, runtime socket. */
  dir: string;
  /** Loopback port clients send requests to. */
  port: number;
  /** Loopback port of /metrics (HAProxy's Prometheus exporter) and /stats. */
  statsPort: number;
  /** Loopback UDP port of the sampler that receives the request log. */
  logPort: number;
  /** Share of POST /invocations requests whose bodies go into the log (0-1). */
  sampleRate: number;
  servers: ProxyServer[];
}

export const BACKEND = 'models';

/** The log line's fields, in order, separated by single spaces (bodies are base64, `-` when absent). */
export const LOG_FORMAT = '%s %ST %Tr %Ta %HM %HP %[var(txn.rq)] %[var(txn.rs)]';

/** Sampled bodies larger than this are not buffered (HAProxy's buffer holds a request's headers and body). */
export const SAMPLE_MAX_BYTES = 49_152;

export function renderHaproxyConfig(spec: ProxySpec): string {
  const threshold = Math.round(Math.min(1, Math.max(0, spec.sampleRate)) * 1_000_000);
  const sampled = '{ var(txn.s) -m found }';
  const lines = [
    '# Written by Tidemark for one deployment; changes at runtime go through the admin socket.',
    'global',
    `  log 127.0.0.1:${spec.logPort} len 65535 format raw local0`,
    `  stats socket ${spec.dir}/admin.sock mode 600 level admin`,
    '  nbthread 1',
    '  maxconn 4096',
    '  tune.bufsize 65536',
    'defaults',
    '  mode http',
    '  log global',
    '  option http-keep-alive',
    '  timeout connect 2s',
    '  timeout client 120s',
    '  timeout server 120s',
    '  timeout http-keep-alive 60s',
    'frontend serve',
    `  bind 127.0.0.1:${spec.port}`,
    ...(threshold > 0
      ? [
          `  http-request set-var(txn.s) int(1) if METH_POST { path /invocations } { rand(1000000) lt ${threshold} } { req.hdr_val(content-length) le ${SAMPLE_MAX_BYTES} }`,
          `  http-request wait-for-body time 2s if ${sampled}`,
          `  http-request set-var(txn.rq) req.body,base64 if ${sampled}`,
          `  http-response wait-for-body time 2s if ${sampled}`,
          `  http-response set-var(txn.rs) res.body,base64 if ${sampled}`,
        ]
      : []),
    `  log-format "${LOG_FORMAT}"`,
    `  default_backend ${BACKEND}`,
    `backend ${BACKEND}`,
    '  balance roundrobin',
    '  option httpchk GET /ping',
    '  http-check expect status 200',
    '  retry-on conn-failure empty-response',
    '  retries 2',
    '  option redispatch',
    '  default-server check inter 1s fall 2 rise 1',
    ...spec.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port} weight ${s.weight}`),
    'frontend stats',
    `  bind 127.0.0.1:${spec.statsPort}`,
    '  http-request use-service prometheus-exporter if { path /metrics }',
    '  stats enable',
    '  stats uri /stats',
    '',
  ];
  return lines.join('\n');
}
