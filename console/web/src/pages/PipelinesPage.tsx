import { Link, useSearchParams } from 'react-router';
import type { PipelineRow } from '../../../../common/console-api.js';
import { enc, useApi, withQuery } from '../api.js';
import { ErrorNote, ExternalLink, Loading, TableHead } from '../components/Notes.js';
import { StateBadge } from '../components/StateBadge.js';
import { ago, duration } from '../format.js';

const STATUSES = ['', 'running', 'succeeded', 'failed', 'cancelled'];

/** Pipeline runs, newest first, filtered by the search attributes PipelineName, PipelineStatus and CurrentStep. */
export function PipelinesPage() {
  const [params, setParams] = useSearchParams();
  const filter = { name: params.get('name') ?? '', status: params.get('status') ?? '', step: params.get('step') ?? '' };
  const rows = useApi<PipelineRow[]>(withQuery('/api/pipelines', filter), { pollMs: 3000 });
  const names = useApi<PipelineRow[]>('/api/pipelines?limit=500', { pollMs: 30_000 });
  const knownNames = [...new Set((names.data ?? []).map((r) => r.name).filter((n): n is string => !!n))].sort();
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  return (
    <section>
      <h1>Pipelines</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Pipeline
          <select value={filter.name} onChange={(e) => set('name', e.target.value)} aria-label="PipelineName">
            <option value="">all</option>
            {knownNames.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={filter.status} onChange={(e) => set('status', e.target.value)} aria-label="PipelineStatus">
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all'}
              </option>
            ))}
          </select>
        </label>
        <label>
          Current step
          <input
            value={filter.step}
            placeholder="e.g. train"
            onChange={(e) => set('step', e.target.value.trim())}
            aria-label="CurrentStep"
          />
        </label>
        <span className="muted">
          {rows.data ? `${rows.data.length} run${rows.data.length === 1 ? '' : 's'}` : ''} · filters are Temporal search
          attributes
        </span>
      </form>
      <ErrorNote error={rows.error} />
      {rows.isLoading && <Loading what="pipelines" />}
      {rows.data && rows.data.length === 0 && <p className="empty">No pipeline runs match.</p>}
      {rows.data && rows.data.length > 0 && (
        <table className="grid">
          <TableHead columns={['pipeline', 'status', 'current step', 'steps', 'started', 'took', 'workflow', '']} />
          <tbody>
            {rows.data.map((r) => (
              <tr key={`${r.workflowId}/${r.runId}`} data-workflow-id={r.workflowId}>
                <td>
                  <Link to={`/pipelines/${enc(r.workflowId)}?runId=${enc(r.runId)}`}>{r.name ?? '(unnamed)'}</Link>
                  {r.driftAlarm && (
                    <span className="alarm-flag" title="a check step raised an alarm">
                      drift alarm
                    </span>
                  )}
                </td>
                <td>
                  <StateBadge state={r.status ?? r.execution.toLowerCase()} title={`Temporal: ${r.execution}`} />
                </td>
                <td>{r.currentStep}</td>
                <td>
                  {r.steps}
                  {r.checks ? <span className="muted"> ({r.checks} checks)</span> : null}
                </td>
                <td title={r.startTime}>{ago(r.startTime)}</td>
                <td>{duration((r.closeTime ? Date.parse(r.closeTime) : Date.now()) - Date.parse(r.startTime))}</td>
                <td className="mono small">{r.workflowId}</td>
                <td>
                  <ExternalLink href={r.temporalUrl}>Temporal</ExternalLink>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
