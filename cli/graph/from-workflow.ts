import { WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { statusQuery, type StepState } from '../../common/messages.js';
import { incomingEdges } from './edges.js';
import type { GraphNode, PipelineGraph } from './model.js';

/** The `dag` memo the pipeline workflow writes when it starts. */
interface DagMemo {
  name: string;
  nodes: { id: string; kind: GraphNode['kind']; image?: string; map?: boolean; when?: string }[];
  edges: [string, string][];
}

/** How long a running workflow's worker has to answer the status query. */
const QUERY_TIMEOUT_MS = 5000;

/**
 * The step states a workflow recorded: the status query while it runs; once closed, its result
 * or its failure's details, which need no worker. Empty when nothing answers.
 */
async function recordedSteps(client: Client, handle: WorkflowHandle, running: boolean): Promise<StepState[]> {
  if (running)
    return client
      .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(statusQuery))
      .then(
        (s) => s.steps,
        () => [],
      );
  try {
    return ((await handle.result()) as { steps: StepState[] }).steps;
  } catch (err) {
    const details =
      err instanceof WorkflowFailedError ? (err.cause as { details?: unknown[] } | undefined)?.details : undefined;
    return (details?.[0] as { steps?: StepState[] } | undefined)?.steps ?? [];
  }
}

/** Thrown when a graph is asked of a workflow that does not exist or is not a pipeline. */
export class NotAPipelineWorkflowError extends Error {
  override readonly name = 'NotAPipelineWorkflowError';
}

/**
 * The graph of a pipeline workflow, running or closed: the DAG from its memo, each step coloured
 * by the state its status query, result or failure recorded (`unknown` where none did, e.g. a
 * running workflow with no worker to answer, or one that failed before its steps). Nested
 * pipelines are read from their child workflows.
 */
export async function graphFromWorkflow(client: Client, workflowId: string, prefix = ''): Promise<PipelineGraph> {
  const handle = client.workflow.getHandle(workflowId);
  let description: Awaited<ReturnType<WorkflowHandle['describe']>>;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new NotAPipelineWorkflowError(`no workflow "${workflowId}" in this namespace`, { cause: err });
    throw err;
  }
  const dag = description.memo?.dag as DagMemo | undefined;
  if (!dag)
    throw new NotAPipelineWorkflowError(
      `workflow "${workflowId}" has no pipeline DAG in its memo (a pipeline workflow writes it in its first task, so either it is not one or no worker has run it yet)`,
    );
  const steps = await recordedSteps(client, handle, description.status.name === 'RUNNING');
  const byKey = new Map(steps.map((s) => [s.key, s]));
  const id = (step: string) => `${prefix}${step}`;
  const graph: PipelineGraph = { name: dag.name, nodes: [], edges: [] };
  for (const n of dag.nodes) {
    const state = byKey.get(n.id);
    const deps = dag.edges.filter(([, to]) => to === n.id).map(([from]) => from);
    const { edges, note } = incomingEdges(id, n.id, deps, n.when);
    const node: GraphNode = {
      id: id(n.id),
      name: n.id,
      kind: n.kind,
      detail: state?.image ?? n.image ?? n.kind,
      state: state?.state ?? 'unknown',
    };
    if (n.map) {
      const items = steps.filter((s) => s.step === n.id && s.mapIndex !== undefined).length;
      node.map = items ? `over ${items} items` : 'mapped';
    }
    if (note) node.when = note;
    const children = state?.childWorkflowId
      ? await graphFromWorkflow(client, state.childWorkflowId, `${node.id}__`).catch(() => undefined)
      : undefined;
    if (children) Object.assign(node, { children, detail: `pipeline ${children.name}` });
    graph.nodes.push(node);
    graph.edges.push(...edges);
  }
  return graph;
}
