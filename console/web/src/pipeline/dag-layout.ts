import dagre from '@dagrejs/dagre';
import type { StepNode } from './graph-model.js';

export interface PlacedNode {
  node: StepNode;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

/** Box sizes: full boxes show state and time; compact ones (large pipelines) the name only. */
export const BOX = {
  full: { width: 176, height: 58, mapHeight: 74 },
  compact: { width: 120, height: 26, mapHeight: 26 },
};

/** Lays the steps out left to right with dagre (the layout the CLI's `graph` command uses). */
export function layoutSteps(nodes: StepNode[], edges: [string, string][], compact: boolean): GraphLayout {
  const size = compact ? BOX.compact : BOX.full;
  const g = new dagre.graphlib.Graph();
  g.setGraph({
    rankdir: 'LR',
    nodesep: compact ? 8 : 22,
    ranksep: compact ? 36 : 56,
    marginx: 12,
    marginy: 12,
  });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: size.width, height: n.items ? size.mapHeight : size.height });
  const known = new Set(nodes.map((n) => n.id));
  for (const [from, to] of edges) if (known.has(from) && known.has(to)) g.setEdge(from, to);
  dagre.layout(g);
  const placed = nodes.map((node) => {
    const l = g.node(node.id);
    return { node, x: l.x - l.width / 2, y: l.y - l.height / 2, width: l.width, height: l.height };
  });
  const graph = g.graph();
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: placed,
    edges: g.edges().map((e) => ({ from: e.v, to: e.w, points: g.edge(e).points ?? [] })),
  };
}
