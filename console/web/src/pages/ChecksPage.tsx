import { Link } from 'react-router';
import type { MonitorRow, PipelineRow } from '../../../../common/console-api.js';
import { enc, useApi } from '../api.js';
import { ErrorNote, ExternalLink, Loading, TableHead } from '../components/Notes.js';
import { StateBadge } from '../components/StateBadge.js';
import { ago } from '../format.js';

/** Pipeline runs with check steps (their drift reports are on the run's page) and the monitors. */
export function ChecksPage() {
  const runs = useApi<PipelineRow[]>('/api/pipelines?limit=300', { pollMs: 5000 });
  const monitors = useApi<MonitorRow[]>('/api/monitors', { pollMs: 5000 });
  const checked = (runs.data ?? []).filter((r) => (r.checks ?? 0) > 0);
  return (
    <section>
      <h1>Checks and monitors</h1>
      <h2>Monitors</h2>
      <ErrorNote error={monitors.error} />
      {monitors.isLoading && <Loading />}
      {monitors.data?.length === 0 && <p className="empty">No monitor has run.</p>}
      {monitors.data && monitors.data.length > 0 && (
        <table className="grid">
          <TableHead columns={['monitor', 'state', 'alarm', 'started', '']} />
          <tbody>
            {monitors.data.map((m) => (
              <tr key={`${m.workflowId}/${m.runId}`}>
                <td>
                  <Link to={`/monitors/${enc(m.workflowId)}`}>{m.workflowId}</Link>
                </td>
                <td>
                  <StateBadge state={m.execution.toLowerCase()} />
                </td>
                <td>{m.driftAlarm ? <span className="alarm-flag">drift alarm</span> : ''}</td>
                <td>{ago(m.startTime)}</td>
                <td>
                  <ExternalLink href={m.temporalUrl}>Temporal</ExternalLink>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Pipeline runs with check steps</h2>
      <ErrorNote error={runs.error} />
      {runs.data && checked.length === 0 && <p className="empty">No pipeline run with a check step.</p>}
      {checked.length > 0 && (
        <table className="grid">
          <TableHead columns={['pipeline', 'status', 'checks', 'alarm', 'started']} />
          <tbody>
            {checked.map((r) => (
              <tr key={`${r.workflowId}/${r.runId}`}>
                <td>
                  <Link to={`/pipelines/${enc(r.workflowId)}?runId=${enc(r.runId)}&view=table&step=`}>{r.name}</Link>
                  <div className="mono small muted">{r.workflowId}</div>
                </td>
                <td>
                  <StateBadge state={r.status} />
                </td>
                <td>{r.checks}</td>
                <td>{r.driftAlarm ? <span className="alarm-flag">drift alarm</span> : 'none'}</td>
                <td>{ago(r.startTime)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
