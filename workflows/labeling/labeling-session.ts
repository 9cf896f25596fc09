import { LONG_ACTIVITY_HEARTBEAT_TIMEOUT } from '../../common/activity-timeouts.js';
import {
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  proxyActivities,
  proxySinks,
  setCurrentDetails,
  setHandler,
  TemporalFailure,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { TidemarkActivities } from '../../activities/index.js';
import type { ArtifactRef } from '../../common/artifact.js';
import {
  LabelingSpecError,
  roundPipelineSpec,
  validateLabelingSpec,
  type LabelingSessionResult,
  type LabelingSessionSpec,
  type RoundSummary,
  type Scorer,
  type SessionPhase,
} from '../../common/labeling.js';
import {
  labelsQuery,
  pendingQuery,
  sessionQuery,
  submitLabelsSignal,
  submitLabelsUpdate,
  LABELS_REFUSED,
  type RejectedLabel,
  type SubmitLabels,
  type SubmitLabelsResult,
} from '../../common/labeling-messages.js';
import {
  LabelingDeadline,
  LabelingPending,
  LabelingReminders,
  LabelingRound,
  LabelingStatus,
} from '../../common/search-attributes.js';
import { failureMessage } from '../failure-message.js';
import type { TidemarkMetricSinks } from '../../common/metrics-sinks.js';
import type { pipeline } from '../pipeline/pipeline.js';
import { LabelBook, type Submission } from './label-book.js';
import { notTakingLabels, parseSubmission, refuseUpdate } from './submission.js';
import { sessionDetails } from './session-details.js';

/** What a session carries from one round to the next (refs only: continue-as-new keeps history small). */
export interface CarriedSession {
  round: number;
  labeled: ArtifactRef;
  ledger?: ArtifactRef;
  scorer: Scorer;
  rounds: RoundSummary[];
  mlflowRunId?: string;
  mlflowRunUrl?: string;
}

export interface LabelingSessionInput {
  /** The session spec as written (pool, labeled set and models already uploaded as refs). */
  spec: unknown;
  /** Set by continue-as-new. */
  carried?: CarriedSession;
  /** The Tidemark console's URL: the Web UI's current details link to the session's labeling page. */
  consoleUrl?: string;
}

/** Preview URLs are presigned for a week at most (S3's limit) and refreshed a day before they expire. */
const PREVIEW_SECONDS = 7 * 86_400;
const PREVIEW_REFRESH_MS = 6 * 86_400_000;
const KEEP_REJECTIONS = 20;
const KEEP_ROUNDS = 50;

const acts = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: LONG_ACTIVITY_HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
/** MLflow may be away: tracking retries for an hour, then the round goes on without it. */
const tracking = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

const { tidemarkMetrics } = proxySinks<TidemarkMetricSinks>();
const counted = (verdict: SubmitLabelsResult) => ({
  accepted: verdict.accepted.length,
  unchanged: verdict.unchanged.length,
  rejected: verdict.rejected.length,
});

/**
 * A human-in-the-loop labeling session. Each round it scores the pool and picks the most
 * informative samples, then waits (for days if need be, at no compute cost) for labels sent as
 * `submitLabels` signals or updates, merges them into a new version of the labeled set, retrains
 * and evaluates in a child pipeline (tracked in MLflow, promoted when it beats the champion),
 * and continues as new carrying only refs.
 */
export async function labelingSession(input: LabelingSessionInput): Promise<LabelingSessionResult> {
  try {
    return await runSession(input);
  } catch (err) {
    // A closed session says how it closed: filter `LabelingStatus = 'cancelled'` or `'failed'`.
    // (A continue-as-new is not a close, and an error that is no Temporal failure fails only the
    // workflow task, which is retried.)
    if (isCancellation(err)) upsertSearchAttributes([{ key: LabelingStatus, value: 'cancelled' }]);
    else if (err instanceof TemporalFailure) upsertSearchAttributes([{ key: LabelingStatus, value: 'failed' }]);
    throw err;
  }
}

async function runSession(input: LabelingSessionInput): Promise<LabelingSessionResult> {
  let spec: LabelingSessionSpec;
  try {
    spec = validateLabelingSpec(input.spec);
  } catch (err) {
    if (err instanceof LabelingSpecError)
      throw ApplicationFailure.nonRetryable(err.message, 'InvalidLabelingSession', err.problems);
    throw err;
  }
  const raw = input.spec as { retrain: Record<string, unknown>; evaluate: Record<string, unknown> };
  const carried: CarriedSession = input.carried ?? { round: 1, labeled: spec.labeled, scorer: spec.scorer, rounds: [] };
  const round = carried.round;
  const workflowId = workflowInfo().workflowId;

  let phase: SessionPhase = 'selecting';
  let book: LabelBook | undefined = undefined;
  let images = false;
  let minScore: number | undefined = undefined;
  let deadlineAt: number | undefined;
  let reminders = 0;
  const recentRejections: RejectedLabel[] = [];

  const notTaking = (): string => notTakingLabels(round, phase);
  const remember = (rejected: RejectedLabel[]) => {
    if (rejected.length === 0) return;
    recentRejections.push(...rejected);
    recentRejections.splice(0, Math.max(0, recentRejections.length - KEEP_REJECTIONS));
    log.warn(`labels rejected in round ${round}: ${rejected.map((r) => `${r.id}=${r.label}: ${r.reason}`).join('; ')}`);
  };
  const take = (sub: Submission, by: 'signal' | 'update') => {
    const verdict = book!.apply(sub, Date.now());
    tidemarkMetrics.labelsReceived(by, counted(verdict));
    // An update's caller is told directly; a signal's sender can only look them up.
    if (by === 'signal') remember(verdict.rejected);
    if (verdict.accepted.length > 0) {
      upsertSearchAttributes([{ key: LabelingPending, value: book!.pending().length }]);
      showDetails();
    }
    return verdict;
  };

  setHandler(submitLabelsSignal, (payload: SubmitLabels) => {
    const parsed = parseSubmission(payload);
    if (!parsed.ok) return remember([{ id: '*', label: '', reason: parsed.reason }]);
    if (!book || book.isClosed) {
      const rejected = Object.entries(parsed.sub.labels).map(([id, label]) => ({ id, label, reason: notTaking() }));
      tidemarkMetrics.labelsReceived('signal', { accepted: 0, unchanged: 0, rejected: rejected.length });
      return remember(rejected);
    }
    take(parsed.sub, 'signal');
  });
  setHandler(
    submitLabelsUpdate,
    (payload: SubmitLabels) => {
      // The validator ran just before, in the same activation: the payload parses and the round is open.
      const parsed = parseSubmission(payload);
      return take(parsed.ok ? parsed.sub : { labels: {} }, 'update');
    },
    {
      // Rejected here, a submission leaves no trace in history: bad payloads, a closed round, or nothing acceptable.
      // A refusal is an ApplicationFailure of type LabelsRefused whose first detail lists each label's reason.
      validator: (payload: SubmitLabels) => {
        const refusal = refuseUpdate(book, payload, round, phase);
        if (refusal) {
          tidemarkMetrics.labelsReceived('update', { accepted: 0, unchanged: 0, rejected: refusal.rejected.length });
          throw ApplicationFailure.nonRetryable(refusal.message, LABELS_REFUSED, refusal.rejected);
        }
      },
    },
  );
  setHandler(pendingQuery, () => ({
    round,
    phase,
    deadline: deadlineAt,
    remindersSent: reminders,
    labelSet: spec.labelSet,
    images,
    minScore,
    asked: book?.asked ?? 0,
    labeled: book?.labeledCount ?? 0,
    samples: book && !book.isClosed ? book.pending() : [],
  }));
  setHandler(labelsQuery, () => book?.labels() ?? {});
  setHandler(sessionQuery, () => ({
    name: spec.name,
    phase,
    round,
    pending: book && !book.isClosed ? book.pending().length : 0,
    labeled: book?.labeledCount ?? 0,
    rounds: carried.rounds,
    recentRejections,
    mlflowRunUrl: carried.mlflowRunUrl,
  }));

  const labelingPage = input.consoleUrl ? `${input.consoleUrl}/labeling/${encodeURIComponent(workflowId)}` : undefined;
  const showDetails = () =>
    setCurrentDetails(
      sessionDetails({
        name: spec.name,
        round,
        phase,
        asked: book?.asked ?? 0,
        labeled: book?.labeledCount ?? 0,
        deadline: deadlineAt,
        labelingPage,
      }),
    );
  const setPhase = (p: SessionPhase) => {
    phase = p;
    upsertSearchAttributes([{ key: LabelingStatus, value: p }]);
    showDetails();
  };
  upsertSearchAttributes([
    { key: LabelingStatus, value: 'selecting' },
    { key: LabelingRound, value: round },
    { key: LabelingPending, value: 0 },
    { key: LabelingReminders, value: 0 },
  ]);
  const finish = (reason: LabelingSessionResult['reason']): LabelingSessionResult => {
    setPhase(reason === 'deadline-stop' ? 'stopped' : 'completed');
    upsertSearchAttributes([{ key: LabelingPending, value: 0 }]);
    const champion = [...carried.rounds].reverse().find((r) => r.promoted)?.modelVersion;
    return {
      name: spec.name,
      rounds: carried.rounds,
      reason,
      labeled: carried.labeled,
      ...(carried.ledger ? { ledger: carried.ledger } : {}),
      ...(champion ? { championVersion: champion } : {}),
    };
  };

  // 1-2. Score the pool and store the batch.
  const selected = await acts.selectLabelingBatch({
    round,
    pool: spec.pool,
    labeled: carried.labeled,
    ledger: carried.ledger,
    scorer: carried.scorer,
    batchSize: spec.batchSize,
    diversify: spec.diversify,
    minScore: spec.minScore,
    threshold: spec.threshold,
    data: spec.data,
    previewSeconds: PREVIEW_SECONDS,
  });
  if (selected.samples.length === 0) {
    log.info(`round ${round}: no sample left to ask about (pool of ${selected.poolRows}); the session ends`);
    return finish('pool-exhausted');
  }
  images = selected.images;
  minScore = selected.minScore;
  book = new LabelBook(round, selected.samples, spec.labelSet);

  // 3-4. Wait for labels, until the batch is labeled or the deadline (with reminders on the way).
  setPhase('waiting');
  const startedWaiting = Date.now();
  deadlineAt = startedWaiting + spec.deadline;
  upsertSearchAttributes([
    { key: LabelingPending, value: book.pending().length },
    { key: LabelingDeadline, value: new Date(deadlineAt) },
  ]);
  showDetails();
  let nextReminder = spec.remindEvery ? startedWaiting + spec.remindEvery : Number.POSITIVE_INFINITY;
  let refreshAt = selected.images ? startedWaiting + PREVIEW_REFRESH_MS : Number.POSITIVE_INFINITY;
  let extensionsLeft = spec.extensions;
  let closed: RoundSummary['closed'] = 'complete';
  const saveOnCancel = async (err: unknown): Promise<never> => {
    // Cancelled while waiting: the labels already accepted are stored before the session ends.
    if (isCancellation(err) && book!.labeledCount > 0) {
      book!.close('the session was cancelled');
      const saved = await CancellationScope.nonCancellable(() =>
        acts.mergeLabels({
          round,
          labeled: carried.labeled,
          ledger: carried.ledger,
          batch: selected.batch,
          labels: book!.labels(),
          data: spec.data,
        }),
      );
      upsertMemo({ savedOnCancel: { labeled: saved.labeled, ledger: saved.ledger } });
      log.warn(
        `session cancelled in round ${round}; the ${book!.labeledCount} label(s) given are stored: labeled set ${saved.labeled.uri}, ledger ${saved.ledger.uri}`,
      );
    }
    throw err;
  };
  for (;;) {
    const wakeAt = Math.min(deadlineAt, nextReminder, refreshAt);
    if (await condition(() => book!.complete, Math.max(1, wakeAt - Date.now())).catch(saveOnCancel)) break;
    const now = Date.now();
    if (now >= deadlineAt) {
      if (spec.partial === 'extend' && extensionsLeft > 0) {
        extensionsLeft--;
        deadlineAt += spec.deadline;
        upsertSearchAttributes([{ key: LabelingDeadline, value: new Date(deadlineAt) }]);
        log.warn(
          `round ${round}: deadline passed with ${book.pending().length} of ${book.asked} samples unlabeled; waiting once more, until ${new Date(deadlineAt).toISOString()}`,
        );
        continue;
      }
      closed = 'deadline';
      break;
    }
    if (now >= nextReminder) {
      reminders++;
      upsertSearchAttributes([{ key: LabelingReminders, value: reminders }]);
      log.warn(
        `reminder ${reminders}: labeling session ${workflowId} round ${round} waits for ${book.pending().length} of ${book.asked} labels (deadline ${new Date(deadlineAt).toISOString()})`,
      );
      nextReminder += spec.remindEvery!;
    }
    if (now >= refreshAt) {
      book.setPreviews(await acts.presignLabelingPreviews({ batch: selected.batch, seconds: PREVIEW_SECONDS }));
      refreshAt += PREVIEW_REFRESH_MS;
    }
  }
  // Labels sent from here on are refused with a reason; every accepted one is in `book`.
  book.close(`round ${round} closed at ${closed === 'complete' ? 'completion' : 'its deadline'}`);
  setPhase('retraining');
  const given = book.labels();
  const summary: RoundSummary = {
    round,
    asked: book.asked,
    labeled: book.labeledCount,
    labeledRows: 0,
    closed: book.labeledCount === 0 ? 'empty' : closed,
  };
  log.info(`round ${round}: ${book.labeledCount} of ${book.asked} labeled (${summary.closed})`);

  // 7. Merge, retrain, evaluate, track, promote.
  let mergedRoundLabels: ArtifactRef | undefined;
  if (book.labeledCount > 0) {
    const merged = await acts.mergeLabels({
      round,
      labeled: carried.labeled,
      ledger: carried.ledger,
      batch: selected.batch,
      labels: given,
      data: spec.data,
    });
    carried.labeled = merged.labeled;
    carried.ledger = merged.ledger;
    mergedRoundLabels = merged.roundLabels;
    summary.labeledRows = merged.labeledRows;
    if (!(spec.partial === 'stop' && closed === 'deadline')) {
      const child = `${workflowId}/round-${round}`;
      summary.pipelineWorkflowId = child;
      const result = await executeChild<typeof pipeline>('pipeline', {
        workflowId: child,
        args: [
          {
            spec: roundPipelineSpec(
              {
                name: spec.name,
                retrain: raw.retrain,
                evaluate: raw.evaluate,
                metric: spec.metric,
                register: spec.register,
                tracking: spec.tracking,
              },
              merged.labeled,
            ),
            ...(input.consoleUrl ? { consoleUrl: input.consoleUrl } : {}),
          },
        ],
      }).catch((err: unknown) => {
        if (isCancellation(err)) throw err;
        // The labels are safe in MinIO; say where, so a new session can start from them.
        throw ApplicationFailure.nonRetryable(
          `round ${round}: retraining failed (see child workflow ${child}): ${failureMessage(err)}\nThe ${book!.labeledCount} label(s) of this round are stored: ` +
            `labeled set ${merged.labeled.uri}, ledger ${merged.ledger.uri}; start a new session with that labeled set to go on.`,
          'RetrainFailed',
          { labeled: merged.labeled, ledger: merged.ledger },
        );
      });
      const evaluated = result.steps.find((s) => s.step === 'evaluate');
      summary.metric = evaluated?.metrics?.[spec.metric.name];
      if (result.promotion) {
        summary.modelVersion = result.promotion.version;
        summary.promoted = result.promotion.promoted;
      }
      const retrained = result.steps.find((s) => s.step === 'retrain')?.outputs?.scorer;
      if (retrained && !Array.isArray(retrained) && carried.scorer.kind !== 'random')
        carried.scorer = { ...carried.scorer, model: retrained };
      log.info(
        `round ${round}: ${spec.metric.name} = ${String(summary.metric)}${summary.promoted ? `, promoted v${summary.modelVersion}` : ''}`,
      );
    }
  }
  if (spec.tracking) {
    const metrics: Record<string, number> = {
      asked: summary.asked,
      labels_added: summary.labeled,
      labeled_rows: summary.labeledRows,
    };
    if (summary.metric !== undefined) metrics[spec.metric.name] = summary.metric;
    const tracked = await tracking
      .trackLabelingRound({
        name: spec.name,
        runId: carried.mlflowRunId,
        round,
        metrics,
        roundLabels: mergedRoundLabels,
        tags: {
          'tidemark.labeling.closed': summary.closed,
          ...(summary.pipelineWorkflowId ? { 'tidemark.labeling.last_pipeline': summary.pipelineWorkflowId } : {}),
        },
      })
      .catch((err: unknown) => {
        log.warn(`round ${round} could not be logged to MLflow, going on without it: ${(err as Error).message}`);
        return undefined;
      });
    if (tracked) {
      carried.mlflowRunId = tracked.runId;
      carried.mlflowRunUrl = tracked.url;
    }
  }
  carried.rounds = [...carried.rounds, summary].slice(-KEEP_ROUNDS);

  // Stop criteria, then 8: continue as new with refs only.
  if (spec.partial === 'stop' && closed === 'deadline') return finish('deadline-stop');
  if (
    spec.stop.target !== undefined &&
    summary.metric !== undefined &&
    (spec.metric.greaterIsBetter ? summary.metric >= spec.stop.target : summary.metric <= spec.stop.target)
  )
    return finish('target');
  if (spec.stop.rounds !== undefined && round >= spec.stop.rounds) return finish('rounds');
  if (selected.candidates <= book.labeledCount) return finish('pool-exhausted');
  await condition(allHandlersFinished);
  return continueAsNew<typeof labelingSession>({
    spec: input.spec,
    carried: { ...carried, round: round + 1 },
    ...(input.consoleUrl ? { consoleUrl: input.consoleUrl } : {}),
  });
}
