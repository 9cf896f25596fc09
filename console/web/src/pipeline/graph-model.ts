import type { DagMemo } from '../../../../common/console-api.js';
import type { PipelineStatus, StepState, StepStateName } from '../../../../common/messages.js';

/** One box of the drawing: a step, or a map step standing for all its items. */
export interface StepNode {
  id: string;
  kind: string;
  state: StepStateName | 'unknown';
  step?: StepState;
  /** A map step's items: how many, and how many in each state. */
  items?: { total: number; counts: Partial<Record<StepStateName, number>>; list: StepState[] };
  when?: string;
}

export interface StepGraph {
  nodes: StepNode[];
  edges: [string, string][];
}

/** The order states are counted in on a map step's box (what needs attention first). */
export const STATE_ORDER: StepStateName[] = [
  'failed',
  'running',
  'pending',
  'succeeded',
  'cached',
  'skipped',
  'cancelled',
];

/**
 * The pipeline's steps as boxes and arrows: the DAG from the run's memo, each step coloured by
 * the `status` query's state, a map step drawn once with its items counted by state. Without a
 * memo (a workflow that ran steps code-first) the steps are boxes without arrows.
 */
export function stepGraph(dag: DagMemo | undefined, status: PipelineStatus | undefined): StepGraph {
  const steps = status?.steps ?? [];
  const top = new Map(steps.filter((s) => s.mapIndex === undefined).map((s) => [s.key, s]));
  const items = new Map<string, StepState[]>();
  for (const s of steps) if (s.mapIndex !== undefined) items.set(s.step, [...(items.get(s.step) ?? []), s]);
  // Without a drawn graph (a pipeline of over 1,000 steps keeps none), the steps of its current run.
  const drawn = dag && !dag.omitted ? dag : undefined;
  const ids = drawn ? drawn.nodes.map((n) => n.id) : [...top.keys()];
  const nodes = ids.map((id): StepNode => {
    const memo = dag?.nodes.find((n) => n.id === id);
    const step = top.get(id);
    const list = (items.get(id) ?? []).sort((a, b) => a.mapIndex! - b.mapIndex!);
    const counts: Partial<Record<StepStateName, number>> = {};
    for (const i of list) counts[i.state] = (counts[i.state] ?? 0) + 1;
    // A sharded map lists no items: its counts (docs/scale.md).
    const sharded = step?.items;
    if (sharded)
      Object.assign(counts, {
        succeeded: sharded.succeeded,
        cached: sharded.cached,
        failed: sharded.failed,
        cancelled: sharded.cancelled,
        pending: sharded.total - sharded.succeeded - sharded.cached - sharded.failed - sharded.cancelled,
      });
    return {
      id,
      kind: memo?.kind ?? step?.kind ?? 'container',
      state: step?.state ?? 'unknown',
      step,
      ...(memo?.map || list.length || sharded ? { items: { total: sharded?.total ?? list.length, counts, list } } : {}),
      ...(memo?.when ? { when: memo.when } : {}),
    };
  });
  return { nodes, edges: drawn?.edges ?? [] };
}

/** Whether a node matches a search: its name, a map item's key, its state or its kind. */
export function matches(node: StepNode, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (!q) return true;
  return (
    node.id.toLowerCase().includes(q) ||
    node.state === q ||
    node.kind === q ||
    (node.items?.list.some((i) => i.key.toLowerCase().includes(q) || i.state === q) ?? false)
  );
}

/** Every step and map item as table rows. */
export function stepRows(status: PipelineStatus | undefined): StepState[] {
  return status?.steps ?? [];
}
