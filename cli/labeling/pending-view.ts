import Table from 'cli-table3';
import { rejectionLines, type PendingBatch, type SubmitLabelsResult } from '../../common/labeling-messages.js';

const MAX_COLUMNS = 8;
/** Colours only on a terminal (and not under NO_COLOR), so piped output stays plain text. */
const style = () => (process.stdout.isTTY && !process.env.NO_COLOR ? {} : { style: { head: [], border: [] } });

const fmt = (v: number | string | null | undefined) =>
  v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v;

/** The pending batch as text: a table of rows for tabular data, preview URLs for images. */
export function renderPending(p: PendingBatch, now = Date.now()): string {
  const lines: string[] = [];
  const due = p.deadline
    ? `, deadline ${new Date(p.deadline).toISOString()} (${Math.max(0, Math.round((p.deadline - now) / 60_000))} min left)`
    : '';
  lines.push(
    `round ${p.round}: ${p.phase}; ${p.labeled} of ${p.asked} labeled${due}${p.remindersSent ? `; ${p.remindersSent} reminder(s) sent` : ''}`,
  );
  lines.push(`labels: ${p.labelSet.join(', ')}`);
  if (p.samples.length === 0) {
    lines.push(p.phase === 'waiting' ? 'nothing pending' : 'no batch is waiting for labels right now');
    return lines.join('\n');
  }
  if (p.images || !p.samples[0]!.row) {
    const t = new Table({ head: ['id', 'score', 'preview'], wordWrap: false, ...style() });
    for (const s of p.samples) t.push([s.id, fmt(s.score), s.preview ?? '(no preview)']);
    lines.push(t.toString());
  } else {
    const columns = Object.keys(p.samples[0]!.row!);
    const shown = columns.slice(0, MAX_COLUMNS);
    const t = new Table({
      head: [
        'id',
        'score',
        ...shown,
        ...(columns.length > shown.length ? [`… ${columns.length - shown.length} more`] : []),
      ],
      ...style(),
    });
    for (const s of p.samples)
      t.push([s.id, fmt(s.score), ...shown.map((c) => fmt(s.row![c])), ...(columns.length > shown.length ? [''] : [])]);
    lines.push(t.toString());
  }
  return lines.join('\n');
}

/** What an update did with a submission, one line per rejection. */
export function renderVerdict(r: SubmitLabelsResult & { updates?: number }): string {
  const lines = [
    `round ${r.round}: accepted ${r.accepted.length}, unchanged ${r.unchanged.length}, rejected ${r.rejected.length}; ${r.pending} still pending` +
      (r.updates && r.updates > 1 ? ` (sent in ${r.updates} updates)` : ''),
  ];
  if (r.accepted.length) lines.push(`  accepted: ${r.accepted.join(', ')}`);
  lines.push(...rejectionLines(r.rejected));
  return lines.join('\n');
}
