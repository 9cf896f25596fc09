import { useSearchParams } from 'react-router';
import type { MetricsView } from '../../../../common/console-api.js';
import { useApi } from '../api.js';
import { ErrorNote, ExternalLink, Loading } from '../components/Notes.js';
import { VegaChart } from '../components/VegaChart.js';
import { number } from '../format.js';

function lineSpec(chart: MetricsView['charts'][number], minutes: number, now: number): Record<string, unknown> {
  const values = chart.series.flatMap((s) => s.points.map(([t, v]) => ({ t: t * 1000, v, series: s.label })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: chart.title,
    width: 420,
    height: 160,
    config: { legend: { orient: 'bottom', direction: 'horizontal' } },
    background: 'white',
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', point: { size: 18 } },
    encoding: {
      x: {
        field: 't',
        type: 'temporal',
        title: null,
        axis: { format: '%H:%M', tickCount: 6 },
        scale: { domain: [now - minutes * 60_000, now] },
      },
      y: {
        field: 'v',
        type: 'quantitative',
        title: chart.unit,
        ...(chart.unit === 'share' ? { axis: { format: '.0%' }, scale: { domain: [0, 1] } } : {}),
      },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/** Worker metrics: steps per minute, failure rate, cache hit rate, step duration p50/p99, alarms. */
export function MetricsPage() {
  const [params, setParams] = useSearchParams();
  const minutes = params.get('minutes') ?? '30';
  const view = useApi<MetricsView>(`/api/metrics?minutes=${minutes}`, { pollMs: 15_000 });
  if (view.isLoading) return <Loading what="metrics" />;
  if (!view.data) return <ErrorNote error={view.error} />;
  const v = view.data;
  return (
    <section>
      <h1>Worker metrics</h1>
      <div className="run-facts">
        <span>
          Prometheus {v.prometheus.up ? 'answers' : 'does not answer'} at {v.prometheus.url}
        </span>
        <ExternalLink href={v.prometheus.up ? v.prometheus.url : undefined}>Prometheus</ExternalLink>
        {v.prometheus.up && (
          <label>
            last{' '}
            <select value={minutes} onChange={(e) => setParams({ minutes: e.target.value }, { replace: true })}>
              <option value="5">5 min</option>
              <option value="30">30 min</option>
              <option value="180">3 h</option>
              <option value="1440">24 h</option>
            </select>
          </label>
        )}
      </div>
      {v.prometheus.error && <p className="muted">{v.prometheus.error}</p>}
      <div className="charts">
        {v.charts.map((c) =>
          c.series.length ? (
            <VegaChart key={c.id} spec={lineSpec(c, v.rangeMinutes, view.dataUpdatedAt)} label={c.title} />
          ) : (
            <figure key={c.id} className="chart empty-chart">
              <figcaption>
                {c.title}: <span className="muted">{c.id === 'alarms' ? 'no alarm' : 'no data yet'}</span>
              </figcaption>
            </figure>
          ),
        )}
      </div>
      {v.worker && (
        <>
          <h2>The worker's counters now ({v.worker.address})</h2>
          {v.worker.error && <p className="muted">{v.worker.error}</p>}
          <table className="grid compact">
            <tbody>
              {v.worker.samples.map((s) => (
                <tr key={s.name + s.labels}>
                  <td className="mono">{s.name}</td>
                  <td className="mono small">{s.labels}</td>
                  <td className="num">{number(s.value)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
