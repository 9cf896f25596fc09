import { ApplicationFailure, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  LABELS_REFUSED,
  rejectionLines,
  submitLabelsUpdate,
  type RejectedLabel,
  type SubmitLabels,
  type SubmitLabelsResult,
} from '../common/labeling-messages.js';
import { LabelingSessionError } from './errors.js';
import { labelingSessionHandle } from './labeling-session-handle.js';

/**
 * Temporal refuses a payload over 2 MB (the server's blob size limit; it warns from 512 KB) and a
 * gRPC message over 4 MB. An update's answer lists every rejected label with its reason, which is
 * several times the label's own size (about 190 bytes a label: measured 383 KB for 1,000 unknown
 * ids), so a submission is sent in updates of at most 512 KB and 1,000 labels: a round asks for at
 * most 1,000 samples, so a submission that fits a round never needs a second update.
 */
export const MAX_UPDATE_BYTES = 512 * 1024;
export const MAX_UPDATE_LABELS = 1000;

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;

/**
 * Splits a submission into payloads of at most `maxBytes` (as JSON) and `maxLabels` labels, each
 * with the submission's labeler and overwrite. Throws a LabelingSessionError naming a label that
 * alone is over the limit.
 */
export function splitSubmission(
  sub: SubmitLabels,
  maxBytes = MAX_UPDATE_BYTES,
  maxLabels = MAX_UPDATE_LABELS,
): SubmitLabels[] {
  const frame = bytes({ ...sub, labels: {} });
  const chunks: SubmitLabels[] = [];
  let labels: Record<string, string | number> = {};
  let count = 0;
  let size = frame;
  for (const [id, label] of Object.entries(sub.labels)) {
    // `"id":"label",` as JSON writes it.
    const entry = bytes(id) + bytes(label) + 2;
    if (frame + entry > maxBytes)
      throw new LabelingSessionError(
        `the label of sample ${JSON.stringify(id.slice(0, 40))} takes ${kib(entry)}; one update carries at most ${kib(maxBytes)} (Temporal's payload limit is 2 MB)`,
      );
    if (count > 0 && (size + entry > maxBytes || count >= maxLabels)) {
      chunks.push({ ...sub, labels });
      labels = {};
      count = 0;
      size = frame;
    }
    labels[id] = label;
    count++;
    size += entry;
  }
  if (count > 0 || chunks.length === 0) chunks.push({ ...sub, labels });
  return chunks;
}

/** Why a session that took the first updates takes no more (it closed meanwhile); rethrows any other error. */
async function whyNotRunning(client: Client, workflowId: string, err: unknown): Promise<string> {
  try {
    await labelingSessionHandle(client, workflowId);
  } catch (closed) {
    if (closed instanceof LabelingSessionError) return closed.message;
  }
  throw err;
}

/** The message of a refused update, without Temporal's wrapping. */
function refusal(err: WorkflowUpdateFailedError): { message: string; rejected?: RejectedLabel[] } {
  const cause = err.cause;
  if (cause instanceof ApplicationFailure) {
    const rejected = cause.type === LABELS_REFUSED ? ((cause.details?.[0] ?? []) as RejectedLabel[]) : [];
    return { message: cause.message, ...(rejected.length ? { rejected } : {}) };
  }
  return { message: cause?.message ?? err.message };
}

/**
 * Sends labels to a running labeling session through its validated `submitLabels` update and
 * answers with what it accepted and rejected, whatever the submission's size: a large one goes
 * in several updates (see MAX_UPDATE_BYTES), and their verdicts are added up. The workflow is
 * checked first (labelingSessionHandle). Throws a LabelingSessionError, with the session's own
 * words, when nothing was accepted.
 */
export async function submitLabels(
  client: Client,
  workflowId: string,
  sub: SubmitLabels,
  opts: { maxBytes?: number; maxLabels?: number } = {},
): Promise<SubmitLabelsResult & { /** How many updates were sent. */ updates: number }> {
  const chunks = splitSubmission(sub, opts.maxBytes, opts.maxLabels);
  const handle = await labelingSessionHandle(client, workflowId);
  const total: SubmitLabelsResult = { round: 0, accepted: [], unchanged: [], rejected: [], pending: 0 };
  const rejectAll = (from: number, reason: string) => {
    for (const chunk of chunks.slice(from))
      total.rejected.push(...Object.entries(chunk.labels).map(([id, label]) => ({ id, label: String(label), reason })));
  };
  let sent = 0;
  for (const [i, chunk] of chunks.entries()) {
    try {
      sent++;
      const verdict = await handle.executeUpdate(submitLabelsUpdate, { args: [chunk] });
      total.round = verdict.round;
      total.pending = verdict.pending;
      total.accepted.push(...verdict.accepted);
      total.unchanged.push(...verdict.unchanged);
      total.rejected.push(...verdict.rejected);
    } catch (err) {
      if (i === 0 && !(err instanceof WorkflowUpdateFailedError)) throw err;
      const refused =
        err instanceof WorkflowUpdateFailedError
          ? refusal(err)
          : { message: await whyNotRunning(client, workflowId, err) };
      if (refused.rejected) {
        total.rejected.push(...refused.rejected);
        continue;
      }
      if (i === 0) throw new LabelingSessionError(refused.message);
      // A malformed payload or a round that closed meanwhile (the labels sent so far completed
      // its batch): the rest is not sent, and each of its labels is rejected with that reason.
      rejectAll(i, refused.message);
      break;
    }
  }
  if (total.accepted.length === 0 && total.unchanged.length === 0)
    throw new LabelingSessionError(`no label accepted:\n${rejectionLines(total.rejected).join('\n')}`, total.rejected);
  return { ...total, updates: sent };
}
