import type { FastifyInstance } from 'fastify';
import type { MetricSeries, MetricsView } from '../../../common/console-api.js';
import { METRIC } from '../../../lib/metrics/worker-metrics.js';
import type { ConsoleContext } from '../context.js';
import { parseSamples } from '../prometheus-text.js';

/** The ranges a page may ask for, in minutes; each is drawn with about 120 points. */
const RANGES = [5, 30, 180, 1440];

const rate = (selector: string, window = '5m') => `rate(${selector}[${window}])`;
const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (${rate(`${METRIC.stepDuration}_bucket`)}))`;

/** The few charts that matter, as PromQL over the workers' metrics. */
const CHARTS: { id: string; title: string; unit: string; queries: { label: string; expr: string }[] }[] = [
  {
    id: 'steps-per-minute',
    title: 'Steps per minute, by how they ended',
    unit: 'steps/min',
    queries: [{ label: '{state}', expr: `sum by (state) (${rate(METRIC.steps, '2m')}) * 60` }],
  },
  {
    id: 'failure-rate',
    title: 'Failure rate',
    unit: 'share',
    queries: [
      {
        label: 'failed / ended',
        // No failed series yet is a rate of 0, not a gap.
        expr: `(sum(${rate(`${METRIC.steps}{state="failed"}`)}) or vector(0)) / sum(${rate(METRIC.steps)})`,
      },
    ],
  },
  {
    id: 'cache-hit-rate',
    title: 'Cache hit rate',
    unit: 'share',
    queries: [
      {
        label: 'hits / look-ups',
        expr: `(sum(${rate(`${METRIC.cacheLookups}{result="hit"}`)}) or vector(0)) / sum(${rate(METRIC.cacheLookups)})`,
      },
    ],
  },
  {
    id: 'step-duration',
    title: 'Step duration',
    unit: 's',
    queries: [
      { label: 'p50', expr: quantile(0.5) },
      { label: 'p99', expr: quantile(0.99) },
    ],
  },
  {
    id: 'alarms',
    title: 'Check alarms (per 5 minutes), by plugin',
    unit: 'alarms',
    queries: [{ label: '{plugin}', expr: `sum by (plugin) (increase(${METRIC.checkAlarms}[5m]))` }],
  },
];

interface PromRange {
  status: string;
  error?: string;
  data?: { result: { metric: Record<string, string>; values: [number, string][] }[] };
}

function seriesLabel(template: string, metric: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => metric[k] ?? '');
}

/** Worker metrics: charts from Prometheus, or the worker's own counters when Prometheus does not answer. */
export function metricsRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const prometheus = ctx.config.prometheus.url.replace(/\/$/, '');
  const rangeQuery = async (expr: string, start: number, end: number, step: number): Promise<PromRange> => {
    const q = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
    const res = await fetch(`${prometheus}/api/v1/query_range?${q}`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as PromRange;
    if (body.status !== 'success') throw new Error(body.error ?? `Prometheus answered ${res.status}`);
    return body;
  };

  app.get<{ Querystring: { minutes?: string } }>('/api/metrics', async (req): Promise<MetricsView> => {
    const minutes = RANGES.includes(Number(req.query.minutes)) ? Number(req.query.minutes) : 30;
    const step = Math.max(5, Math.round((minutes * 60) / 120));
    const end = Math.floor(Date.now() / 1000);
    const start = end - minutes * 60;
    const view: MetricsView = { prometheus: { url: prometheus, up: false }, rangeMinutes: minutes, charts: [] };
    try {
      for (const chart of CHARTS) {
        const series: MetricSeries = [];
        for (const q of chart.queries) {
          const r = await rangeQuery(q.expr, start, end, step);
          for (const s of r.data?.result ?? [])
            series.push({
              label: seriesLabel(q.label, s.metric),
              points: s.values
                .map(([t, v]) => [t, Number(v)] as [number, number])
                .filter(([, v]) => Number.isFinite(v)),
            });
        }
        view.charts.push({ id: chart.id, title: chart.title, unit: chart.unit, series });
      }
      view.prometheus.up = true;
    } catch (err) {
      view.prometheus.error = `${(err as Error).message}: start it with \`npm run stack -- --with prometheus\``;
      view.charts = [];
      view.worker = await scrapeWorker(ctx.config.metrics.address);
    }
    return view;
  });
}

async function scrapeWorker(address: string): Promise<NonNullable<MetricsView['worker']>> {
  if (address === 'off') return { address, up: false, error: 'worker metrics are off', samples: [] };
  try {
    const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(3000) });
    const samples = parseSamples(await res.text(), 'tidemark_').filter(
      (s) => !s.name.endsWith('_bucket') && !s.name.endsWith('_sum'),
    );
    return { address, up: true, samples };
  } catch (err) {
    return { address, up: false, error: `no worker answers at ${address} (${(err as Error).message})`, samples: [] };
  }
}
