import {
  SUBMISSION_SHAPE,
  rejectionLines,
  submitLabelsSchema,
  type RejectedLabel,
  type SubmitLabelsResult,
} from '../../common/labeling-messages.js';
import type { SessionPhase } from '../../common/labeling.js';
import { issueLine, notAMapping, userErrors } from '../../common/zod-messages.js';
import type { LabelBook, Submission } from './label-book.js';

/**
 * How a session judges a `submitLabels` payload, as pure functions (no workflow APIs), so the
 * signal handler, the update's validator and its handler decide alike, and tests can run every
 * malformed submission through exactly what the session runs.
 */

export type ParsedSubmission = { ok: true; sub: Submission } | { ok: false; reason: string };

/** Parses a payload strictly: unknown fields, empty ids and labels that are neither strings nor numbers are refused. */
export function parseSubmission(raw: unknown): ParsedSubmission {
  const shape = notAMapping(raw, 'label submission', `send ${SUBMISSION_SHAPE}`);
  if (shape) return { ok: false, reason: shape };
  const parsed = submitLabelsSchema().safeParse(raw, { error: userErrors });
  if (!parsed.success) {
    return {
      ok: false,
      reason: `malformed submission (${parsed.error.issues.map((i) => issueLine(i, 'payload')).join('; ')}); send ${SUBMISSION_SHAPE}`,
    };
  }
  if (Object.keys(parsed.data.labels).length === 0)
    return { ok: false, reason: `the submission holds no labels; send ${SUBMISSION_SHAPE}` };
  return { ok: true, sub: parsed.data };
}

/** Why a round takes no labels in this phase (it is still picking its batch, or closed). */
export function notTakingLabels(round: number, phase: SessionPhase): string {
  return phase === 'selecting'
    ? `round ${round} is still picking its batch; send labels once the session is waiting`
    : `round ${round} is closed (${phase}); labels are taken while the session is waiting`;
}

/** Why an update is refused before it runs: the message, and each label's reason when there are some. */
export interface UpdateRefusal {
  message: string;
  rejected: RejectedLabel[];
}

/**
 * What the update's validator decides: undefined when the submission may be recorded (something
 * in it is accepted or unchanged), else why not. Before the batch is picked there is no `book`.
 */
export function refuseUpdate(
  book: LabelBook | undefined,
  raw: unknown,
  round: number,
  phase: SessionPhase,
): UpdateRefusal | undefined {
  const parsed = parseSubmission(raw);
  if (!parsed.ok) return { message: parsed.reason, rejected: [] };
  if (!book || book.isClosed) return { message: notTakingLabels(round, phase), rejected: [] };
  const verdict: SubmitLabelsResult = book.review(parsed.sub);
  if (verdict.accepted.length > 0 || verdict.unchanged.length > 0) return undefined;
  return {
    // The message names the first few; the failure's details carry every one.
    message: `no label accepted:\n${rejectionLines(verdict.rejected, 20).join('\n')}`,
    rejected: verdict.rejected,
  };
}
