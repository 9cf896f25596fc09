import { Link, useParams } from 'react-router';
import type { MonitorView } from '../../../../common/console-api.js';
import { enc, useApi } from '../api.js';
import { ErrorNote, ExternalLink, Loading, TableHead } from '../components/Notes.js';
import { VegaChart } from '../components/VegaChart.js';
import { number } from '../format.js';

/** The history of a monitor's batches: each checker's score against its threshold, batch by batch. */
function historySpec(view: MonitorView): Record<string, unknown> {
  const first = view.checked - view.reports.length;
  const rows = view.reports.flatMap((r, i) =>
    r.checks.map((c) => ({
      batch: first + i + 1,
      at: new Date(r.at).toISOString(),
      plugin: c.plugin,
      score: c.score,
      threshold: c.threshold,
      alarm: c.alarm,
    })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    width: 640,
    height: 260,
    background: 'white',
    data: { values: rows },
    encoding: { x: { field: 'batch', type: 'quantitative', title: 'batch', axis: { tickMinStep: 1 } } },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          y: { field: 'score', type: 'quantitative', title: 'score' },
          color: { field: 'plugin', type: 'nominal' },
          tooltip: [
            { field: 'batch' },
            { field: 'at' },
            { field: 'plugin' },
            { field: 'score' },
            { field: 'threshold' },
          ],
        },
      },
      {
        mark: { type: 'line', strokeDash: [6, 4], opacity: 0.7 },
        encoding: { y: { field: 'threshold', type: 'quantitative' }, color: { field: 'plugin', type: 'nominal' } },
      },
      {
        transform: [{ filter: 'datum.alarm' }],
        mark: { type: 'point', shape: 'triangle-up', size: 140, color: '#d62728', filled: true },
        encoding: { y: { field: 'score', type: 'quantitative' } },
      },
    ],
  };
}

export function MonitorPage() {
  const { id = '' } = useParams();
  const view = useApi<MonitorView>(`/api/monitors/${enc(id)}`, { pollMs: 5000 });
  if (view.isLoading) return <Loading what="the monitor" />;
  if (!view.data) return <ErrorNote error={view.error} />;
  const v = view.data;
  return (
    <section>
      <h1>Monitor {v.workflowId}</h1>
      <div className="run-facts">
        <span>
          {v.checked} batches checked (the last {v.reports.length} kept)
        </span>
        <ExternalLink href={v.temporalUrl}>Temporal UI</ExternalLink>
      </div>
      {v.reports.length ? (
        <VegaChart spec={historySpec(v)} label="monitor history" />
      ) : (
        <p className="empty">No batch yet.</p>
      )}
      <table className="grid">
        <TableHead columns={['batch', 'checked', 'checker', 'score', 'threshold', 'verdict', '']} />
        <tbody>
          {[...v.reports].reverse().flatMap((r, i) =>
            r.checks.map((c) => (
              <tr key={`${r.at}-${c.plugin}-${i}`} className={c.alarm ? 'alarm-row' : ''}>
                <td className="mono small">{r.batch.name}</td>
                <td>{new Date(r.at).toLocaleString()}</td>
                <td>{c.plugin}</td>
                <td className="num">{number(c.score)}</td>
                <td className="num">{number(c.threshold)}</td>
                <td>{c.alarm ? <span className="alarm-flag">ALARM</span> : 'ok'}</td>
                <td>
                  <Link to={`/checks/reports/${c.report.sha256}`}>report</Link>
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </section>
  );
}
