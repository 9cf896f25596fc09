import type { PipelineStatus, StepState, StepStateName } from '../../common/messages.js';

/**
 * Columns of the table, in the order a person looks for them; `done` holds succeeded and cached
 * steps (a cache hit is marked ♻).
 */
const COLUMNS: { head: string; states: StepStateName[] }[] = [
  { head: '❌ failed', states: ['failed'] },
  { head: '▶️ running', states: ['running'] },
  { head: '⏳ waiting', states: ['pending'] },
  { head: '✅ done', states: ['succeeded', 'cached'] },
  { head: '⏭️ skipped', states: ['skipped'] },
  { head: '⛔ cancelled', states: ['cancelled'] },
];

/** A cell names steps up to about this many characters (at least one step) and counts the rest. */
const CELL_CHARS = 48;

function label(s: StepState, items: StepState[] | undefined): string {
  const name = s.state === 'cached' ? `${s.key} ♻` : s.key;
  if (!items?.length) return name;
  const done = items.filter((i) => i.state === 'succeeded' || i.state === 'cached').length;
  return `${name} (${done}/${items.length})`;
}

/**
 * The pipeline's Current Details in the Temporal Web UI. The Web UI shows them in a frame about
 * 150 px high that does not grow, so a table with a row per step is cut off after three steps:
 * this is a headline (name, state, progress, and a link to the run's page in the Tidemark
 * console, where the graph, logs and outputs are) and one row of steps by state, each cell
 * naming steps as far as fits and counting the rest. A map step is one entry with its items done.
 */
export function currentDetails(status: PipelineStatus, consolePage?: string): string {
  const tops = status.steps.filter((s) => s.mapIndex === undefined);
  const items = new Map<string, StepState[]>();
  for (const s of status.steps) {
    if (s.mapIndex === undefined) continue;
    const list = items.get(s.step);
    if (list) list.push(s);
    else items.set(s.step, [s]);
  }
  const done = tops.filter((s) => s.state !== 'pending' && s.state !== 'running').length;
  const columns = COLUMNS.map((c) => ({ head: c.head, steps: tops.filter((s) => c.states.includes(s.state)) })).filter(
    (c) => c.steps.length > 0,
  );
  const cell = (steps: StepState[]) => {
    const named: string[] = [];
    for (const s of steps) {
      const next = label(s, items.get(s.step));
      if (named.length && [...named, next].join(', ').length > CELL_CHARS) break;
      named.push(next);
    }
    return steps.length > named.length ? `${named.join(', ')} +${steps.length - named.length}` : named.join(', ');
  };
  const link = consolePage ? ` · [open in the Tidemark console](${consolePage})` : '';
  return [
    `**${status.name}** · ${status.state} · ${done} of ${tops.length} steps done${link}`,
    '',
    `| ${columns.map((c) => c.head).join(' | ')} |`,
    `| ${columns.map(() => ':--').join(' | ')} |`,
    `| ${columns.map((c) => cell(c.steps).replace(/\|/g, '/')).join(' | ')} |`,
  ].join('\n');
}

/**
 * A shard of a sharded map (docs/scale.md): its items by state in one line. It is rewritten on
 * every item's change, so it is built from counts the run state keeps, not from the items.
 */
export function shardDetails(
  name: string,
  state: PipelineStatus['state'],
  counts: Readonly<Record<StepStateName, number>>,
): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const done = counts.succeeded + counts.cached;
  const rest = (['running', 'failed', 'cancelled', 'skipped'] as const)
    .filter((k) => counts[k] > 0)
    .map((k) => ` · ${counts[k]} ${k}`)
    .join('');
  const hits = counts.cached ? ` (${counts.cached} from the cache)` : '';
  return `**${name}** · ${state} · ${done} of ${total} items done${hits}${rest}`;
}
