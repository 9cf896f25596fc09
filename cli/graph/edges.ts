import { parseCondition } from '../../common/condition.js';
import type { GraphEdge } from './model.js';

/**
 * The edges into one step from the steps it depends on. Its `when` condition labels the edge
 * from the step the condition reads; a condition on params has no such edge and is returned
 * as `note`, for the node to show.
 */
export function incomingEdges(
  id: (step: string) => string,
  step: string,
  deps: string[],
  when?: string,
): { edges: GraphEdge[]; note?: string } {
  const condition = when === undefined ? undefined : parseCondition(when);
  const readsStep =
    condition !== undefined && typeof condition !== 'string' && condition.ref.kind !== 'param'
      ? condition.ref.step
      : undefined;
  const edges = deps.map((dep): GraphEdge => ({
    from: id(dep),
    to: id(step),
    ...(dep === readsStep ? { label: `when ${when}` } : {}),
  }));
  return { edges, note: when !== undefined && readsStep === undefined ? when : undefined };
}
