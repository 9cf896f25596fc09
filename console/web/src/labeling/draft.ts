import type { SubmitLabelsResult } from '../../../../common/labeling-messages.js';

/** What happened to a label this screen sent. */
export interface SentLabel {
  label: string;
  status: 'accepted' | 'unchanged' | 'rejected';
  reason?: string;
}

/**
 * One labeler's work on one round, before and after it is sent: labels given by key go into the
 * draft (and onto the undo stack); Undo takes back the last one; Submit sends the draft through
 * the `submitLabels` update, and its answer says per sample what happened: accepted and unchanged
 * labels leave the draft, rejected ones stay in it with the reason beside the sample, to be
 * changed and sent again. Pure: the screen keeps it in React state and in the browser's storage.
 */
export interface Draft {
  round: number;
  labels: Record<string, string>;
  /** Sample ids in the order they were labeled: Undo pops the last. */
  order: string[];
  sent: Record<string, SentLabel>;
}

export function emptyDraft(round: number): Draft {
  return { round, labels: {}, order: [], sent: {} };
}

export function label(d: Draft, id: string, value: string): Draft {
  const { [id]: _earlier, ...sent } = d.sent;
  return { ...d, labels: { ...d.labels, [id]: value }, order: [...d.order.filter((x) => x !== id), id], sent };
}

/** Takes back the last label of the draft; returns the new draft and the sample it was on. */
export function undo(d: Draft): { draft: Draft; id?: string } {
  const id = d.order.at(-1);
  if (id === undefined) return { draft: d };
  const { [id]: _gone, ...labels } = d.labels;
  return { draft: { ...d, labels, order: d.order.slice(0, -1) }, id };
}

/** The draft after the session answered a submission of `sent`. */
export function answered(d: Draft, sent: Record<string, string>, verdict: SubmitLabelsResult): Draft {
  const next: Draft = { ...d, labels: { ...d.labels }, order: [...d.order], sent: { ...d.sent } };
  const settle = (id: string, status: SentLabel['status'], reason?: string) => {
    const value = sent[id] ?? d.labels[id] ?? '';
    next.sent[id] = { label: value, status, ...(reason ? { reason } : {}) };
    if (status !== 'rejected') {
      delete next.labels[id];
      next.order = next.order.filter((x) => x !== id);
    }
  };
  for (const id of verdict.accepted) settle(id, 'accepted');
  for (const id of verdict.unchanged) settle(id, 'unchanged');
  for (const r of verdict.rejected) settle(r.id, 'rejected', r.reason);
  return next;
}

export const draftCount = (d: Draft) => Object.keys(d.labels).length;
