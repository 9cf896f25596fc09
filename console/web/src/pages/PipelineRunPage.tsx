import { useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { PipelineRunView } from '../../../../common/console-api.js';
import { enc, useApi, withQuery } from '../api.js';
import { Dag } from '../components/Dag.js';
import { ErrorNote, ExternalLink, Loading } from '../components/Notes.js';
import { StateBadge } from '../components/StateBadge.js';
import { StepPanel } from '../components/StepPanel.js';
import { StepTable } from '../components/StepTable.js';
import { duration } from '../format.js';
import { matches, stepGraph } from '../pipeline/graph-model.js';

/** Pipelines with more top-level steps than this open in the compact drawing. */
const COMPACT_ABOVE = 40;

/**
 * One pipeline run: its DAG coloured by state and updating live (the page polls the workflow's
 * `status` query every second while it runs), or the same steps as a table; search dims what
 * does not match; a step's panel shows its log, metrics and outputs.
 */
export function PipelineRunPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const runId = params.get('runId') ?? undefined;
  const run = useApi<PipelineRunView>(withQuery(`/api/pipelines/${enc(id)}`, { runId }), {
    pollMs: (d) => (!d || d.execution === 'RUNNING' ? 1000 : false),
  });
  const view = params.get('view') === 'table' ? 'table' : 'graph';
  const selected = params.get('step') ?? undefined;
  const [search, setSearch] = useState('');
  const [zoom, setZoom] = useState(1);
  const [compact, setCompact] = useState<boolean | undefined>(undefined);
  const set = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  const data = run.data;
  const graph = stepGraph(data?.dag, data?.status);
  const isCompact = compact ?? graph.nodes.length > COMPACT_ABOVE;
  useEffect(() => setCompact(undefined), [id]);
  const steps = data?.status?.steps ?? [];
  const step = steps.find((s) => s.key === selected);
  const node = graph.nodes.find((n) => n.id === (step?.mapIndex !== undefined ? step.step : selected));
  const matching = search ? graph.nodes.filter((n) => matches(n, search)).length : undefined;
  const status = data?.status;
  const done = steps.filter((s) => s.mapIndex === undefined && !['pending', 'running'].includes(s.state)).length;
  const top = steps.filter((s) => s.mapIndex === undefined).length;
  const cacheHits = steps.filter((s) => s.state === 'cached').length;

  return (
    <section className="run-page">
      <ErrorNote error={run.error} />
      {run.isLoading && <Loading what="the run" />}
      {data && (
        <>
          <div className="run-head">
            <h1>
              {status?.name ?? data.dag?.name ?? id}{' '}
              <StateBadge state={status?.state ?? data.execution.toLowerCase()} />
            </h1>
            <div className="run-facts">
              <span className="mono small">{data.workflowId}</span>
              <span>
                {done} of {top} steps done
              </span>
              {cacheHits > 0 && <span>{cacheHits} cache hits</span>}
              <span>
                {duration((data.closeTime ? Date.parse(data.closeTime) : Date.now()) - Date.parse(data.startTime))}
              </span>
              <ExternalLink href={data.temporalUrl}>Temporal UI</ExternalLink>
              <ExternalLink href={data.mlflowRunUrl}>MLflow run</ExternalLink>
              <ExternalLink href={data.mlflowExperimentUrl}>MLflow experiment</ExternalLink>
              {data.parentWorkflowId && (
                <Link to={`/pipelines/${enc(data.parentWorkflowId)}`}>parent: {data.parentWorkflowId}</Link>
              )}
            </div>
            {data.failure && <pre className="reason">{data.failure}</pre>}
            {data.statusError && !status && <ErrorNote error={`status query: ${data.statusError}`} />}
          </div>
          <div className="toolbar">
            <div className="segmented" role="tablist">
              <button className={view === 'graph' ? 'on' : ''} onClick={() => set('view', undefined)} role="tab">
                Graph
              </button>
              <button className={view === 'table' ? 'on' : ''} onClick={() => set('view', 'table')} role="tab">
                Table
              </button>
            </div>
            <input
              type="search"
              placeholder="search steps, items or states"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              aria-label="search steps"
            />
            {matching !== undefined && <span className="muted">{matching} match</span>}
            {view === 'graph' && (
              <>
                <label className="check">
                  <input type="checkbox" checked={isCompact} onChange={(e) => setCompact(e.target.checked)} /> compact
                </label>
                <button onClick={() => setZoom((z) => Math.max(0.2, z / 1.25))} aria-label="zoom out">
                  −
                </button>
                <span className="muted">{Math.round(zoom * 100)}%</span>
                <button onClick={() => setZoom((z) => Math.min(3, z * 1.25))} aria-label="zoom in">
                  +
                </button>
                <button onClick={() => setZoom(1)}>100%</button>
              </>
            )}
          </div>
          <div className="run-body">
            <div className="run-main">
              {view === 'graph' ? (
                <Dag
                  graph={graph}
                  compact={isCompact}
                  search={search}
                  zoom={zoom}
                  selected={node?.id}
                  onSelect={(k) => set('step', k)}
                />
              ) : (
                <StepTable steps={steps} search={search} selected={selected} onSelect={(k) => set('step', k)} />
              )}
            </div>
            <StepPanel
              workflowId={data.workflowId}
              runId={data.runId}
              node={node}
              step={step}
              onSelect={(k) => set('step', k)}
            />
          </div>
        </>
      )}
    </section>
  );
}
