import type { StepStateName } from '../../common/messages.js';

/** A step's state as drawn: a workflow's `StepState`, or `unknown` where nothing recorded it. */
export type GraphState = StepStateName | 'unknown';

/** One step of a pipeline graph. A nested pipeline carries its own graph in `children`. */
export interface GraphNode {
  /** Unique in the whole drawing: a nested step is `<parent>__<child>`. */
  id: string;
  /** The step's name as written in the spec. */
  name: string;
  kind: 'container' | 'check' | 'pipeline';
  /** What runs: an image, `build <context>`, `check <plugin>` or `pipeline <name>`. */
  detail?: string;
  /** How the step is mapped, e.g. `over ${params.seeds} (3 items)`; absent for a step that is not. */
  map?: string;
  /** A `when` condition that no edge of the graph can carry (one that reads only params). */
  when?: string;
  state: GraphState;
  children?: PipelineGraph;
}

/** `from` must finish before `to` starts; `label` is the `when` condition `to` reads from `from`. */
export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
}

/** The DAG of one pipeline, ids unique across nesting levels, edges between nodes of the same level. */
export interface PipelineGraph {
  name: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/** Every node, nested ones included, depth first. */
export function allNodes(graph: PipelineGraph): GraphNode[] {
  return graph.nodes.flatMap((n) => [n, ...(n.children ? allNodes(n.children) : [])]);
}

/** The lines of a step's label: its name, what runs, how it is mapped, and a condition no edge carries. */
export function nodeLines(node: GraphNode): string[] {
  const what = node.kind === 'container' ? `container · ${node.detail ?? 'image'}` : (node.detail ?? node.kind);
  return [node.name, what, ...(node.map ? [`map ${node.map}`] : []), ...(node.when ? [`when ${node.when}`] : [])];
}
