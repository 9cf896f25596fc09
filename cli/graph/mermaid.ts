import { GRAPH_STATES, STATE_COLOURS } from './colours.js';
import { allNodes, nodeLines, type PipelineGraph } from './model.js';

/** Words Mermaid reads as keywords, so they cannot be node ids. */
const KEYWORDS = new Set([
  'end',
  'graph',
  'flowchart',
  'subgraph',
  'direction',
  'style',
  'class',
  'classdef',
  'linkstyle',
  'click',
  'call',
  'href',
  'default',
]);

/** Label text with Mermaid's entity codes for the characters that would end or change it. */
function text(s: string): string {
  return s.replace(/[#"<>&|]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** A Mermaid id for every node id: the id itself where Mermaid reads it as one, else a safe spelling. */
function mermaidIds(ids: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  for (const id of ids) {
    let m =
      /^[A-Za-z][A-Za-z0-9_]*$/.test(id) && !KEYWORDS.has(id.toLowerCase())
        ? id
        : `n_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
    while (used.has(m)) m = `${m}_`;
    used.add(m);
    out.set(id, m);
  }
  return out;
}

/**
 * The graph as a Mermaid `flowchart LR`: one node per step (a stacked box for a mapped step, a
 * hexagon for a check), a subgraph per nested pipeline, `when` conditions on edges, and one class
 * per state for the colours.
 */
export function toMermaid(graph: PipelineGraph): string {
  const ids = mermaidIds(allNodes(graph).map((n) => n.id));
  const id = (node: string) => ids.get(node)!;
  const lines = ['flowchart LR', `  %% ${graph.name}, drawn by tidemark graph`];
  for (const state of GRAPH_STATES)
    lines.push(
      `  classDef ${state} fill:${STATE_COLOURS[state].fill},stroke:${STATE_COLOURS[state].stroke},color:#111827`,
    );
  const emit = (g: PipelineGraph, indent: string) => {
    for (const n of g.nodes) {
      const label = nodeLines(n).map(text).join('<br/>');
      if (n.children) {
        lines.push(`${indent}subgraph ${id(n.id)}["${label}"]`, `${indent}  direction LR`);
        emit(n.children, `${indent}  `);
        lines.push(`${indent}end`, `${indent}class ${id(n.id)} ${n.state}`);
        continue;
      }
      const [open, close] = n.map ? ['[["', '"]]'] : n.kind === 'check' ? ['{{"', '"}}'] : ['["', '"]'];
      lines.push(`${indent}${id(n.id)}${open}${label}${close}:::${n.state}`);
    }
    for (const e of g.edges)
      lines.push(`${indent}${id(e.from)} -->${e.label ? `|"${text(e.label)}"|` : ''} ${id(e.to)}`);
  };
  emit(graph, '  ');
  return `${lines.join('\n')}\n`;
}
