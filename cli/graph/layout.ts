import dagre from '@dagrejs/dagre';
import type { EdgeLabel, GraphLabel, NodeLabel } from '@dagrejs/dagre';
import { nodeLines, type GraphNode, type PipelineGraph } from './model.js';

export interface Point {
  x: number;
  y: number;
}

/** A step's box, top-left `x`/`y` within its level; a nested pipeline holds its own layout. */
export interface PlacedNode {
  node: GraphNode;
  lines: string[];
  x: number;
  y: number;
  width: number;
  height: number;
  inner?: GraphLayout;
}

export interface PlacedEdge {
  points: Point[];
  label?: string;
  labelAt?: Point;
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  edges: PlacedEdge[];
}

/** Sizes in px for 12 px text. */
export const METRICS = { charWidth: 7.2, lineHeight: 16, padding: 10 };

export function textWidth(lines: string[]): number {
  return Math.max(...lines.map((l) => l.length)) * METRICS.charWidth;
}

/**
 * Lays out a pipeline graph left to right with dagre. A nested pipeline is laid out first and
 * placed as one large box, so that edges meet its border and its steps are drawn inside it.
 */
export function layoutGraph(graph: PipelineGraph): GraphLayout {
  const { lineHeight, padding } = METRICS;
  const g = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 64, edgesep: 16, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const inner = new Map<string, GraphLayout>();
  for (const n of graph.nodes) {
    const lines = nodeLines(n);
    const head = lines.length * lineHeight + 2 * padding;
    if (n.children) {
      const child = layoutGraph(n.children);
      inner.set(n.id, child);
      g.setNode(n.id, {
        width: Math.max(child.width, textWidth(lines)) + 2 * padding,
        height: head + child.height + padding,
      });
    } else {
      g.setNode(n.id, { width: textWidth(lines) + 2 * padding, height: head });
    }
  }
  for (const e of graph.edges) {
    g.setEdge(
      e.from,
      e.to,
      e.label ? { label: e.label, width: textWidth([e.label]), height: lineHeight, labelpos: 'c' } : {},
    );
  }
  dagre.layout(g);

  const nodes = graph.nodes.map((node): PlacedNode => {
    const l = g.node(node.id);
    const placed: PlacedNode = {
      node,
      lines: nodeLines(node),
      x: l.x! - l.width / 2,
      y: l.y! - l.height / 2,
      width: l.width,
      height: l.height,
    };
    const child = inner.get(node.id);
    if (child) placed.inner = child;
    return placed;
  });
  const edges = graph.edges.map((e): PlacedEdge => {
    const l = g.edge(e.from, e.to);
    return { points: l.points ?? [], ...(e.label ? { label: e.label, labelAt: { x: l.x!, y: l.y! } } : {}) };
  });
  const { width = 0, height = 0 } = g.graph();
  return { width, height, nodes, edges };
}
