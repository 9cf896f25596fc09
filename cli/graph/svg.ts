import { GRAPH_STATES, STATE_COLOURS } from './colours.js';
import { layoutGraph, METRICS, textWidth, type GraphLayout, type PlacedEdge, type PlacedNode } from './layout.js';
import type { PipelineGraph } from './model.js';

const MARGIN = 16;
const TITLE = 36;
const LEGEND = 40;
const INK = '#111827';

/** Text and attribute values with XML's five special characters escaped. */
export function xml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const n = (v: number) => Number(v.toFixed(1));

function textLines(lines: string[], cx: number, top: number): string {
  return lines
    .map(
      (line, i) =>
        `<text x="${n(cx)}" y="${n(top + METRICS.lineHeight * (i + 1) - 4)}" text-anchor="middle"${i === 0 ? ' font-weight="bold"' : ''}>${xml(line)}</text>`,
    )
    .join('');
}

function drawNode(p: PlacedNode): string {
  const { fill, stroke } = STATE_COLOURS[p.node.state];
  const { padding } = METRICS;
  const open = `<g class="step" data-step="${xml(p.node.id)}" data-kind="${p.node.kind}" data-state="${p.node.state}">`;
  const dash = p.node.state === 'unknown' || p.inner ? ' stroke-dasharray="5 3"' : '';
  const shadow = p.node.map
    ? `<rect x="${n(p.x + 5)}" y="${n(p.y + 5)}" width="${n(p.width)}" height="${n(p.height)}" rx="6" fill="${fill}" stroke="${stroke}"/>`
    : '';
  const box = `<rect class="step-box" x="${n(p.x)}" y="${n(p.y)}" width="${n(p.width)}" height="${n(p.height)}" rx="6" fill="${fill}"${p.inner ? ' fill-opacity="0.35"' : ''} stroke="${stroke}" stroke-width="1.5"${dash}/>`;
  const label = textLines(p.lines, p.x + p.width / 2, p.y + padding);
  const inner = p.inner
    ? `<g transform="translate(${n(p.x + padding)} ${n(p.y + padding + p.lines.length * METRICS.lineHeight)})">${drawLayout(p.inner)}</g>`
    : '';
  return `${open}${shadow}${box}${label}</g>${inner}`;
}

function drawEdge(e: PlacedEdge): string {
  const d = e.points.map((pt, i) => `${i ? 'L' : 'M'}${n(pt.x)} ${n(pt.y)}`).join(' ');
  const path = `<path class="edge" d="${d}" fill="none" stroke="#374151" stroke-width="1.4" marker-end="url(#arrow)"/>`;
  if (!e.label || !e.labelAt) return path;
  const w = textWidth([e.label]) + 8;
  const { x, y } = e.labelAt;
  return `${path}<rect x="${n(x - w / 2)}" y="${n(y - 10)}" width="${n(w)}" height="18" rx="3" fill="#ffffff" stroke="#d1d5db"/><text x="${n(x)}" y="${n(y + 4)}" text-anchor="middle" font-style="italic">${xml(e.label)}</text>`;
}

function drawLayout(layout: GraphLayout): string {
  return [...layout.nodes.map(drawNode), ...layout.edges.map(drawEdge)].join('\n');
}

function drawLegend(top: number): { svg: string; width: number } {
  let x = MARGIN;
  const items = GRAPH_STATES.map((state) => {
    const { fill, stroke } = STATE_COLOURS[state];
    const item = `<g class="legend-item" data-state="${state}"><rect x="${x}" y="${top}" width="14" height="14" rx="3" fill="${fill}" stroke="${stroke}"/><text x="${x + 20}" y="${top + 11}">${state}</text></g>`;
    x += 20 + textWidth([state]) + 16;
    return item;
  });
  return { svg: `<g class="legend">${items.join('')}</g>`, width: x + MARGIN };
}

/** The graph as a standalone SVG: boxes coloured by state, arrows, `when` labels, nested pipelines drawn inside their box, and a legend. */
export function toSvg(graph: PipelineGraph): string {
  const layout = layoutGraph(graph);
  const legend = drawLegend(TITLE + layout.height + 16);
  const width = Math.ceil(Math.max(layout.width + 2 * MARGIN, legend.width, textWidth([graph.name]) + 2 * MARGIN));
  const height = Math.ceil(TITLE + layout.height + LEGEND);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12" fill="${INK}">`,
    `<title>${xml(graph.name)}</title>`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="#374151"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="24" font-size="16" font-weight="bold">${xml(graph.name)}</text>`,
    `<g transform="translate(${MARGIN} ${TITLE})">`,
    drawLayout(layout),
    '</g>',
    legend.svg,
    '</svg>',
    '',
  ].join('\n');
}
