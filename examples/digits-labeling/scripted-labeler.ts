import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import type { LabelingSessionResult } from '../../common/labeling.js';
import { pendingQuery, submitLabelsSignal } from '../../common/labeling-messages.js';
import type { labelingSession } from '../../workflows/labeling/labeling-session.js';

/** The pool's ground truth: a sample's label, and what kind of sample it is (upright, rotated, unseen-9). */
export type Truth = Map<string, { label: string; kind: string }>;

/** What the labeler was asked in one round. */
export interface AskedRound {
  round: number;
  ids: string[];
  /** How many of them by kind of sample. */
  kinds: Record<string, number>;
}

export interface ScriptedLabelerOptions {
  labeler: string;
  pollMs?: number;
  /** Send a round's labels again when the batch still waits this long after they were sent (signals are fire and forget). */
  resendMs?: number;
  onAsked?: (asked: AskedRound) => void;
}

/**
 * Plays the person at the other end of a labeling session: polls the `pending` query and, for
 * every batch the session waits on, sends the ground-truth labels as one `submitLabels` signal.
 * Returns the session's result and what each round asked.
 */
export async function runScriptedLabeler(
  handle: WorkflowHandle<typeof labelingSession>,
  truth: Truth,
  opts: ScriptedLabelerOptions,
): Promise<{ result: LabelingSessionResult; asked: AskedRound[] }> {
  const pollMs = opts.pollMs ?? 500;
  const resendMs = opts.resendMs ?? 10_000;
  let settled = false;
  const result = handle.result();
  result.then(
    () => (settled = true),
    () => (settled = true),
  );
  const asked = new Map<number, AskedRound>();
  let sentAt = 0;
  while (!settled) {
    const pending = await handle.query(pendingQuery).catch(() => undefined); // not answering yet, or between runs
    if (pending?.phase === 'waiting' && pending.samples.length > 0) {
      const fresh = !asked.has(pending.round);
      if (fresh || Date.now() - sentAt > resendMs) {
        const labels: Record<string, string> = {};
        for (const s of pending.samples) {
          const known = truth.get(s.id);
          if (!known)
            throw new Error(`the session asked about sample "${s.id}", which the pool's ground truth does not hold`);
          labels[s.id] = known.label;
        }
        await handle.signal(submitLabelsSignal, { labeler: opts.labeler, labels });
        sentAt = Date.now();
        if (fresh) {
          const ids = pending.samples.map((s) => s.id);
          const kinds: Record<string, number> = {};
          for (const id of ids) kinds[truth.get(id)!.kind] = (kinds[truth.get(id)!.kind] ?? 0) + 1;
          const round = { round: pending.round, ids, kinds };
          asked.set(pending.round, round);
          opts.onAsked?.(round);
        }
      }
    }
    await Promise.race([sleep(pollMs), result.catch(() => undefined)]);
  }
  return { result: await result, asked: [...asked.values()].sort((a, b) => a.round - b.round) };
}
