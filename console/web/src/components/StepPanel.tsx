import { Link } from 'react-router';
import type { StepLogView } from '../../../../common/console-api.js';
import type { ArtifactRef } from '../../../../common/artifact.js';
import type { StepState } from '../../../../common/messages.js';
import { enc, useApi } from '../api.js';
import { bytes, duration, number } from '../format.js';
import type { StepNode } from '../pipeline/graph-model.js';
import { ErrorNote } from './Notes.js';
import { StateBadge } from './StateBadge.js';

export function artifactUrl(ref: ArtifactRef, download = false): string {
  const name = ref.kind === 'dir' ? `${ref.name}.tar` : ref.name;
  return `/api/artifacts/${ref.sha256}?name=${enc(name)}${download ? '&download=1' : ''}`;
}

function Outputs({ step, workflowId }: { step: StepState; workflowId: string }) {
  const entries = Object.entries(step.outputs ?? {}).flatMap(([name, v]) =>
    (Array.isArray(v) ? v : [v]).map((ref, i, all) => ({ name: all.length > 1 ? `${name}[${i}]` : name, ref })),
  );
  if (!entries.length) return null;
  return (
    <>
      <h4>Outputs</h4>
      <ul className="outputs">
        {entries.map(({ name, ref }) => (
          <li key={`${name}-${ref.sha256}`}>
            <span className="mono">{name}</span> <span className="muted">{bytes(ref.size)}</span>{' '}
            {step.kind === 'check' && name === 'report' ? (
              <Link
                to={`/checks/reports/${ref.sha256}?step=${enc(step.key)}&workflow=${enc(workflowId)}`}
                className="button small"
              >
                drift report
              </Link>
            ) : (
              <a href={artifactUrl(ref)} target="_blank" rel="noreferrer">
                open
              </a>
            )}{' '}
            <a href={artifactUrl(ref, true)}>download</a>
          </li>
        ))}
      </ul>
    </>
  );
}

function LogTail({ workflowId, runId, step }: { workflowId: string; runId: string; step: StepState }) {
  const running = step.state === 'running';
  const log = useApi<StepLogView>(
    step.kind === 'container'
      ? `/api/pipelines/${enc(workflowId)}/steps/${enc(step.key)}/log?runId=${enc(runId)}`
      : undefined,
    // Live lines while it runs; a finished step is read until its stored log is there.
    { pollMs: (d) => (running ? 2000 : d?.source === 'log' ? false : 5000) },
  );
  if (step.kind !== 'container') return null;
  return (
    <>
      <h4>
        Log {log.data?.source === 'running' ? '(latest lines, live)' : log.data?.truncated ? '(tail)' : ''}
        {log.data?.log && (
          <a href={artifactUrl(log.data.log, true)} className="small">
            {' '}
            whole log
          </a>
        )}
      </h4>
      <ErrorNote error={log.error} />
      <pre className="log" data-testid="log-tail" data-source={log.data?.source}>
        {log.data?.lines.length ? log.data.lines.join('\n') : log.data ? '(no output yet)' : '…'}
      </pre>
    </>
  );
}

/** The selected step (or map item): its state, times, metrics, outputs and log; a map step lists its items. */
export function StepPanel(props: {
  workflowId: string;
  runId: string;
  node?: StepNode;
  step?: StepState;
  onSelect(key: string): void;
}) {
  const { step, node } = props;
  if (!step) return <aside className="panel muted">Select a step to see its log, metrics and outputs.</aside>;
  return (
    <aside className="panel" data-testid="step-panel">
      <h3>
        <span className="mono">{step.key}</span> <StateBadge state={step.state} />
      </h3>
      <dl className="facts">
        <dt>kind</dt>
        <dd>{step.kind}</dd>
        {step.durationMs !== undefined && (
          <>
            <dt>duration</dt>
            <dd>{duration(step.durationMs)}</dd>
          </>
        )}
        {step.startedAt && (
          <>
            <dt>started</dt>
            <dd>{new Date(step.startedAt).toLocaleString()}</dd>
          </>
        )}
        {step.attempt ? (
          <>
            <dt>attempt</dt>
            <dd>{step.attempt + 1}</dd>
          </>
        ) : null}
        {step.image && (
          <>
            <dt>image</dt>
            <dd className="mono small">{step.image}</dd>
          </>
        )}
        {step.exitCode !== undefined && (
          <>
            <dt>exit code</dt>
            <dd>{step.exitCode}</dd>
          </>
        )}
        {step.state === 'cached' && (
          <>
            <dt>cache</dt>
            <dd>hit: outputs reused from an earlier run with the same inputs</dd>
          </>
        )}
        {step.childWorkflowId && (
          <>
            <dt>nested run</dt>
            <dd>
              <Link to={`/pipelines/${enc(step.childWorkflowId)}`}>{step.childWorkflowId}</Link>
            </dd>
          </>
        )}
      </dl>
      {step.reason && <pre className="reason">{step.reason}</pre>}
      {node?.items && (
        <>
          <h4>{node.items.total} items</h4>
          <div className="items">
            {node.items.list.map((i) => (
              <button key={i.key} className="item" onClick={() => props.onSelect(i.key)} title={`${i.key}: ${i.state}`}>
                <StateBadge state={i.state} /> {i.mapIndex} <span className="muted">{duration(i.durationMs)}</span>
              </button>
            ))}
          </div>
        </>
      )}
      {step.metrics && Object.keys(step.metrics).length > 0 && (
        <>
          <h4>Metrics</h4>
          <table className="grid compact">
            <tbody>
              {Object.entries(step.metrics).map(([k, v]) => (
                <tr key={k}>
                  <td className="mono">{k}</td>
                  <td className="num">{number(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <Outputs step={step} workflowId={props.workflowId} />
      <LogTail workflowId={props.workflowId} runId={props.runId} step={step} />
    </aside>
  );
}
