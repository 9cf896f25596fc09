import type { ServingRow } from '../../../../common/console-api.js';
import type { DeploymentStatus } from '../../../../common/serving.js';
import { useApi } from '../api.js';
import { ErrorNote, ExternalLink, Loading, TableHead } from '../components/Notes.js';
import { StateBadge } from '../components/StateBadge.js';
import { ago } from '../format.js';

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

/** One deployment: its versions and their traffic, the latest gate readings, the decisions taken. */
function Deployment({ row, status }: { row: ServingRow; status: DeploymentStatus }) {
  const versions = [
    ...(status.stable ? [{ role: 'stable', v: status.stable }] : []),
    ...(status.canary ? [{ role: 'canary', v: status.canary }] : []),
  ];
  return (
    <article className="deployment" data-testid="deployment">
      <h2>
        {status.model} <StateBadge state={status.state} />
        {status.driftAlarm && <span className="alarm-flag">drift alarm</span>}
      </h2>
      <div className="run-facts">
        {status.endpoint && <code>{status.endpoint}/invocations</code>}
        {status.rollout && (
          <span>
            rollout of v{status.rollout.version}: step {status.rollout.stepIndex + 1} of{' '}
            {status.rollout.steps.join(' → ')}%{status.rollout.paused ? ' (paused)' : ''}
          </span>
        )}
        <ExternalLink href={row.temporalUrl}>Temporal</ExternalLink>
      </div>
      <table className="grid" data-testid="versions">
        <TableHead columns={['version', 'role', 'weight', 'flavors']} />
        <tbody>
          {versions.map(({ role, v }) => (
            <tr key={v.version}>
              <td className="mono">v{v.version}</td>
              <td>{role}</td>
              <td className="num">{status.weights[v.version] ?? 0}%</td>
              <td>{v.flavors.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {status.gates.length > 0 && (
        <table className="grid" data-testid="gates">
          <TableHead
            columns={['at weight', 'verdict', 'canary requests', 'errors', 'p99', 'stable errors', 'stable p99']}
          />
          <tbody>
            {status.gates.slice(-5).map((g) => (
              <tr key={`${g.step}/${g.at}`} className={g.passed ? '' : 'alarm-row'}>
                <td className="num">{g.weight}%</td>
                <td title={g.reasons.join('; ')}>{g.passed ? 'passed' : g.insufficient ? 'waiting' : 'failed'}</td>
                <td className="num">{g.canary.requests}</td>
                <td className="num">{pct(g.canary.errorRate)}</td>
                <td className="num">{g.canary.p99Ms ?? '–'} ms</td>
                <td className="num">{g.stable ? pct(g.stable.errorRate) : '–'}</td>
                <td className="num">{g.stable?.p99Ms ?? '–'} ms</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ul className="decisions" data-testid="decisions">
        {status.decisions
          .slice(-8)
          .reverse()
          .map((d) => (
            <li key={`${d.at}/${d.kind}`}>
              {ago(d.at)}: <strong>{d.kind}</strong>
              {d.version ? ` v${d.version}` : ''}
              {d.weight !== undefined ? ` at ${d.weight}%` : ''}
              {d.reason ? `: ${d.reason}` : ''}
            </li>
          ))}
      </ul>
    </article>
  );
}

/** Model serving: each running deployment's versions, weights, gate readings and decisions. */
export function ServingPage() {
  const rows = useApi<ServingRow[]>('/api/serving', { pollMs: 5000 });
  return (
    <section>
      <h1>Serving</h1>
      <ErrorNote error={rows.error} />
      {rows.isLoading && <Loading />}
      {rows.data?.length === 0 && (
        <p className="empty">
          No model is served. Serve one with <code>tidemark serve deploy digits-classifier@champion</code>.
        </p>
      )}
      {rows.data?.map((row) =>
        row.status ? (
          <Deployment key={row.workflowId} row={row} status={row.status} />
        ) : (
          <p key={row.workflowId} className="error">
            {row.workflowId}: {row.error}
          </p>
        ),
      )}
    </section>
  );
}
