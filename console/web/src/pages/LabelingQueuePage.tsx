import { Link, useSearchParams } from 'react-router';
import type { LabelingRow } from '../../../../common/console-api.js';
import { enc, useApi, withQuery } from '../api.js';
import { ErrorNote, ExternalLink, Loading, TableHead } from '../components/Notes.js';
import { StateBadge } from '../components/StateBadge.js';
import { ago } from '../format.js';

const STATUSES = ['waiting', 'selecting', 'retraining', 'completed', 'stopped', 'cancelled', 'failed', ''];

/** Labeling sessions, those waiting for labels first (LabelingStatus = 'waiting'). */
export function LabelingQueuePage() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') ?? 'waiting';
  const rows = useApi<LabelingRow[]>(withQuery('/api/labeling', { status }), { pollMs: 3000 });
  return (
    <section>
      <h1>Labeling</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Sessions
          <select
            value={status}
            onChange={(e) => setParams({ status: e.target.value }, { replace: true })}
            aria-label="LabelingStatus"
          >
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'all'}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">LabelingStatus = {status ? `'${status}'` : 'any'}</span>
      </form>
      <ErrorNote error={rows.error} />
      {rows.isLoading && <Loading what="sessions" />}
      {rows.data?.length === 0 && <p className="empty">No session is {status || 'there'} right now.</p>}
      {rows.data && rows.data.length > 0 && (
        <table className="grid">
          <TableHead
            columns={['session', 'status', 'round', 'still to label', 'deadline', 'reminders', 'started', '']}
          />
          <tbody>
            {rows.data.map((r) => (
              <tr key={`${r.workflowId}/${r.runId}`} data-workflow-id={r.workflowId}>
                <td>
                  <Link to={`/labeling/${enc(r.workflowId)}`}>{r.name ?? r.workflowId}</Link>
                  <div className="mono small muted">{r.workflowId}</div>
                </td>
                <td>
                  <StateBadge state={r.status} />
                </td>
                <td>{r.round}</td>
                <td>{r.pending}</td>
                <td title={r.deadline}>{r.status === 'waiting' ? ago(r.deadline) : ''}</td>
                <td>{r.reminders || ''}</td>
                <td>{ago(r.startTime)}</td>
                <td>
                  {r.status === 'waiting' && (
                    <Link to={`/labeling/${enc(r.workflowId)}`} className="button small">
                      label
                    </Link>
                  )}{' '}
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
