import type { PipelineStatus, StepState, StepStateName } from '../../common/messages.js';

const ICON: Record<StepStateName, string> = {
  pending: '⏳',
  running: '▶️',
  cached: '♻️',
  succeeded: '✅',
  failed: '❌',
  skipped: '⏭️',
  cancelled: '⛔',
};

/** Rows shown before the table says "… and N more": the Web UI's details panel is short. */
const MAX_ROWS = 24;
/** A failure's note is cut to this many characters; the whole message is in the console and the history. */
const NOTE_CHARS = 60;

const seconds = (ms: number | undefined) =>
  ms === undefined ? '' : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`;

function note(s: StepState): string {
  if (s.state !== 'failed' && s.state !== 'skipped') return '';
  const text = (s.reason ?? '').split('\n')[0]!.replace(/\|/g, '/');
  return text.length > NOTE_CHARS ? `${text.slice(0, NOTE_CHARS - 1)}…` : text;
}

/** One map step's items as counts by state: `✅ 80 ▶️ 8 ⏳ 12`. */
function counts(items: StepState[]): string {
  const by = new Map<StepStateName, number>();
  for (const i of items) by.set(i.state, (by.get(i.state) ?? 0) + 1);
  return [...by].map(([state, n]) => `${ICON[state]} ${n}`).join(' ');
}

/**
 * The pipeline's Current Details in the Temporal Web UI: a headline with a link to the run's
 * console page, then a narrow table (step, state, time, and a short note only where a step failed
 * or was skipped) that fits the details panel without a horizontal scroll. A map step is one row
 * with its items counted by state; past MAX_ROWS rows the table stops and the console has the rest.
 */
export function currentDetails(status: PipelineStatus, consolePage?: string): string {
  const done = status.steps.filter((s) => s.mapIndex === undefined && !['pending', 'running'].includes(s.state));
  const tops = status.steps.filter((s) => s.mapIndex === undefined);
  const items = new Map<string, StepState[]>();
  for (const s of status.steps) if (s.mapIndex !== undefined) items.set(s.step, [...(items.get(s.step) ?? []), s]);
  const rows = tops.map((s) => {
    const mapped = items.get(s.step);
    const state = mapped ? `${ICON[s.state]} ${mapped.length} items: ${counts(mapped)}` : `${ICON[s.state]} ${s.state}`;
    return `| ${s.key} | ${state} | ${seconds(s.durationMs)} | ${note(s)} |`;
  });
  const shown = rows.slice(0, MAX_ROWS);
  const more = rows.length - shown.length;
  const link = consolePage ? ` · [open in the Tidemark console](${consolePage})` : '';
  return [
    `**${status.name}** · ${status.state} · ${done.length} of ${tops.length} steps done${link}`,
    '',
    '| step | state | time | note |',
    '| :-- | :-- | --: | :-- |',
    ...shown,
    ...(more > 0 ? [`| … ${more} more |  |  | ${consolePage ? 'see the console' : ''} |`] : []),
  ].join('\n');
}
