import { LATENCY_BUCKETS_MS, type MetricsSnapshot, type VersionCounters } from '../../common/serving.js';
import { parsePrometheusText } from './prometheus-text.js';
import { BACKEND } from './proxy/haproxy-config.js';

async function text(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return res.text();
}

/**
 * Per-version counters now: requests and errors (4xx, 5xx and failed responses) from HAProxy's
 * Prometheus exporter, which counts every request; the latency histogram from the sampler, which
 * reads HAProxy's per-request log (HAProxy 2.6 keeps only averages). Versions are HAProxy's server
 * names (`v3`).
 */
export async function readServingMetrics(
  statsPort: number,
  samplerPort: number,
  at = Date.now(),
): Promise<MetricsSnapshot> {
  const versions: Record<string, VersionCounters> = {};
  const of = (v: string) =>
    (versions[v] ??= { requests: 0, errors: 0, latency: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0) });
  for (const s of parsePrometheusText(await text(`http://127.0.0.1:${statsPort}/metrics`))) {
    if (s.labels.proxy !== BACKEND || !s.labels.server) continue;
    if (s.name === 'haproxy_server_http_responses_total') {
      of(s.labels.server).requests += s.value;
      if (s.labels.code === '4xx' || s.labels.code === '5xx') of(s.labels.server).errors += s.value;
    } else if (s.name === 'haproxy_server_response_errors_total') {
      of(s.labels.server).requests += s.value;
      of(s.labels.server).errors += s.value;
    }
  }
  const sampler = await text(`http://127.0.0.1:${samplerPort}/metrics`).catch(() => '');
  for (const s of parsePrometheusText(sampler)) {
    if (s.name !== 'tidemark_serving_request_duration_ms_bucket' || !s.labels.version) continue;
    const le = s.labels.le === '+Inf' ? LATENCY_BUCKETS_MS.length : LATENCY_BUCKETS_MS.indexOf(Number(s.labels.le));
    if (le >= 0) of(s.labels.version).latency[le] = s.value;
  }
  return { at, versions };
}
