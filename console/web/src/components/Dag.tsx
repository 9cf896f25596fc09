import { useEffect, useMemo, useRef } from 'react';
import { duration } from '../format.js';
import { layoutSteps, type PlacedNode } from '../pipeline/dag-layout.js';
import { matches, STATE_ORDER, type StepGraph } from '../pipeline/graph-model.js';
import { colours } from './StateBadge.js';

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

function pathOf(points: { x: number; y: number }[]): string {
  return points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
}

/** A map step's items as a bar of segments, one colour per state. */
function ItemsBar({ p }: { p: PlacedNode }) {
  const items = p.node.items!;
  const width = p.width - 16;
  let x = 8;
  return (
    <g>
      {STATE_ORDER.map((state) => {
        const n = items.counts[state] ?? 0;
        if (!n || !items.total) return null;
        const w = (n / items.total) * width;
        const seg = (
          <rect key={state} x={x} y={p.height - 16} width={w} height={8} fill={colours(state).stroke}>
            <title>{`${n} ${state}`}</title>
          </rect>
        );
        x += w;
        return seg;
      })}
    </g>
  );
}

function Box({
  p,
  compact,
  dim,
  selected,
  onSelect,
}: {
  p: PlacedNode;
  compact: boolean;
  dim: boolean;
  selected: boolean;
  onSelect(id: string): void;
}) {
  const { node } = p;
  const c = colours(node.state);
  const step = node.step;
  const done = node.items ? (node.items.counts.succeeded ?? 0) + (node.items.counts.cached ?? 0) : 0;
  const second = node.items
    ? `${node.items.total} items · ${done} done${node.items.counts.failed ? ` · ${node.items.counts.failed} failed` : ''}`
    : `${node.state}${step?.durationMs !== undefined ? ` · ${duration(step.durationMs)}` : ''}`;
  return (
    <g
      transform={`translate(${p.x},${p.y})`}
      className={`dag-node${dim ? ' dim' : ''}${selected ? ' selected' : ''}${node.state === 'running' ? ' running' : ''}`}
      data-step={node.id}
      data-state={node.state}
      onClick={() => onSelect(node.id)}
      role="button"
      tabIndex={0}
      onKeyDown={(e) => e.key === 'Enter' && onSelect(node.id)}
    >
      <title>{`${node.id}: ${node.state}${step?.reason ? `\n${step.reason}` : ''}`}</title>
      <rect
        width={p.width}
        height={p.height}
        rx={compact ? 4 : 8}
        fill={c.fill}
        stroke={c.stroke}
        strokeWidth={selected ? 3 : 1.5}
      />
      {node.items && !compact && (
        <rect
          x={4}
          y={4}
          width={p.width - 8}
          height={p.height - 8}
          rx={6}
          fill="none"
          stroke={c.stroke}
          strokeDasharray="3 3"
        />
      )}
      <text x={8} y={compact ? 17 : 22} className="dag-title">
        {truncate(node.id, compact ? 16 : 22)}
        {node.kind === 'check' ? ' ◇' : node.kind === 'pipeline' ? ' ⧉' : ''}
      </text>
      {!compact && (
        <text x={8} y={40} className="dag-sub">
          {truncate(second, 28)}
          {node.state === 'cached' ? ' ♻' : ''}
        </text>
      )}
      {node.items && !compact && <ItemsBar p={p} />}
    </g>
  );
}

/**
 * The pipeline drawn as a graph, laid out by dagre, each step coloured by its state (live as the
 * page polls), map steps as one box with their items counted. Steps that do not match the search
 * are dimmed; `zoom` scales the drawing inside its scrolling frame.
 */
export function Dag(props: {
  graph: StepGraph;
  compact: boolean;
  search: string;
  zoom: number;
  selected?: string;
  onSelect(id: string): void;
}) {
  const { graph, compact, search, zoom } = props;
  // The layout depends on the shape only, not on states: it is not redone on every poll.
  const shape = JSON.stringify([graph.nodes.map((n) => [n.id, !!n.items]), graph.edges, compact]);
  const layout = useMemo(() => layoutSteps(graph.nodes, graph.edges, compact), [shape]);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  // A search brings its first match into view (a large pipeline's drawing scrolls).
  const frame = useRef<HTMLDivElement>(null);
  const first = search ? graph.nodes.find((n) => matches(n, search))?.id : undefined;
  useEffect(() => {
    if (first) frame.current?.querySelector(`[data-step="${CSS.escape(first)}"]`)?.scrollIntoView({ block: 'center' });
  }, [first]);
  return (
    <div className="dag-frame" data-testid="dag" ref={frame}>
      <svg
        width={layout.width * zoom}
        height={layout.height * zoom}
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        role="img"
        aria-label="pipeline graph"
      >
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#64748b" />
          </marker>
        </defs>
        {layout.edges.map((e) => {
          const lit = !search || [e.from, e.to].some((id) => byId.has(id) && matches(byId.get(id)!, search));
          return (
            <path
              key={`${e.from}->${e.to}`}
              d={pathOf(e.points)}
              className={`dag-edge${lit ? '' : ' dim'}`}
              markerEnd="url(#arrow)"
            />
          );
        })}
        {layout.nodes.map((p) => {
          const node = byId.get(p.node.id) ?? p.node;
          return (
            <Box
              key={node.id}
              p={{ ...p, node }}
              compact={compact}
              dim={!matches(node, search)}
              selected={props.selected === node.id}
              onSelect={props.onSelect}
            />
          );
        })}
      </svg>
    </div>
  );
}
