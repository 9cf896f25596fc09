import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { oneOf } from './zod-messages.js';
import type { GivenLabel, PendingSample, RoundSummary, SessionPhase } from './labeling.js';

/**
 * The messages of a labeling session. Labels arrive as the `submitLabels` signal (fire and
 * forget: from the Web UI, or code that cannot wait) or the `submitLabels` update (validated
 * first, answered with what was accepted and rejected). Both take the same payload.
 */
export const submitLabelsSchema = () =>
  z
    .object({
      /** Who labeled (shown in the ledger and MLflow). */
      labeler: z.string().min(1).max(200).optional(),
      /** Sample id -> label. */
      labels: z.record(z.string().min(1, 'a sample id may not be empty'), LabelSchema()),
      /** Replace labels already given in this round. */
      overwrite: z.boolean().optional(),
    })
    .strict();

/** A label as sent: a non-empty string, or a number (kept as its string). */
export const LabelSchema = () =>
  oneOf('a label is a non-empty string or a number', [
    z.string().min(1, 'a label may not be empty'),
    z.number(),
  ]).transform(String);

/** One line per rejected label, the first `max` of them, then how many more. */
export function rejectionLines(rejected: readonly RejectedLabel[], max = 50): string[] {
  const lines = rejected.slice(0, max).map((r) => `  rejected ${r.id}=${r.label}: ${r.reason}`);
  if (rejected.length > max) lines.push(`  … and ${rejected.length - max} more rejected`);
  return lines;
}

/** The type of the ApplicationFailure a refused `submitLabels` update fails with; its first detail is a RejectedLabel[] (empty when the whole payload is refused). */
export const LABELS_REFUSED = 'LabelsRefused';

/** The payload's shape, for messages. */
export const SUBMISSION_SHAPE = '{ "labeler": "you", "labels": { "<sample id>": "<label>" }, "overwrite": false }';
export type SubmitLabels = z.input<ReturnType<typeof submitLabelsSchema>>;

export interface RejectedLabel {
  id: string;
  label: string;
  reason: string;
}

export interface SubmitLabelsResult {
  round: number;
  /** Newly recorded (or overwritten). */
  accepted: string[];
  /** Already recorded with the same label: a repeat changes nothing. */
  unchanged: string[];
  rejected: RejectedLabel[];
  /** Samples of the batch still without a label. */
  pending: number;
}

export interface PendingBatch {
  round: number;
  phase: SessionPhase;
  /** When the round stops waiting (epoch ms). */
  deadline?: number;
  remindersSent: number;
  labelSet: string[];
  /** Previews are PNG thumbnails (image data) rather than rows. */
  images: boolean;
  /** The score a sample had to beat to be asked about this round, if the session has a threshold. */
  minScore?: number;
  asked: number;
  labeled: number;
  /** The samples still to label, most informative first. */
  samples: PendingSample[];
}

export interface SessionStatus {
  name: string;
  phase: SessionPhase;
  round: number;
  pending: number;
  /** Labels accepted in this round so far. */
  labeled: number;
  rounds: RoundSummary[];
  /** Submissions (by signal) that were rejected lately, newest last. */
  recentRejections: RejectedLabel[];
  mlflowRunUrl?: string;
}

export const submitLabelsSignal = defineSignal<[SubmitLabels]>('submitLabels');
export const submitLabelsUpdate = defineUpdate<SubmitLabelsResult, [SubmitLabels]>('submitLabels');
/** The samples still to label, with presigned preview URLs or rows, so any UI can show them. */
export const pendingQuery = defineQuery<PendingBatch>('pending');
/** The labels accepted in the current round. */
export const labelsQuery = defineQuery<Record<string, GivenLabel>>('labels');
export const sessionQuery = defineQuery<SessionStatus>('session');
