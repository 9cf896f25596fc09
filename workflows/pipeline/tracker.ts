import { CancellationScope, log, proxyActivities, sleep, upsertMemo } from '@temporalio/workflow';
import type { TidemarkActivities } from '../../activities/index.js';
import type { ArtifactRef } from '../../common/artifact.js';
import type { StepStateName } from '../../common/messages.js';
import type { PipelineTracking, TrackStepRecord } from '../../common/tracking.js';

/** Step keys named in a tracking activity's summary, the rest counted. */
const SUMMARY_KEYS = 4;
const listed = (keys: string[]) =>
  keys.length > SUMMARY_KEYS
    ? `${keys.slice(0, SUMMARY_KEYS).join(', ')} and ${keys.length - SUMMARY_KEYS} more`
    : keys.join(', ');

/** Step records sent to MLflow in one call once this many are queued… */
const BATCH_SIZE = 8;
/** …or at most this long after the first of them was queued (or at the pipeline's end). */
const BATCH_WINDOW_MS = 2000;

export interface TrackingOptions {
  enabled: boolean;
  /** How long tracking keeps retrying while MLflow is down before giving up (ms). */
  catchUpWithinMs: number;
  /** The pipeline's run, made by an earlier run of the workflow (before it continued as new). */
  resume?: PipelineTracking;
  /** Model versions that steps of earlier runs registered, by step key. */
  versions?: Record<string, string>;
}

/** What promotion did with the version a step registered. */
export interface Promotion {
  model: string;
  version: string;
  alias: string;
  promoted: boolean;
  previous?: string;
}

/**
 * Mirrors a pipeline run into MLflow without ever holding the pipeline up: every call runs
 * beside the steps and retries with backoff while MLflow is away, so steps go on during an
 * outage and the tracking catches up when MLflow returns. `finish` waits for it all.
 */
export class PipelineTracker {
  private readonly acts: ReturnType<typeof proxyActivities<TidemarkActivities>>;
  private readonly pending: Promise<unknown>[] = [];
  /** Finished steps not sent to MLflow yet. */
  private readonly queue: { record: TrackStepRecord; resolve: (modelVersion: string | undefined) => void }[] = [];
  /** The calls sending records now, if any; the timer that sends a partly filled queue. */
  private sending?: Promise<void>;
  private timer?: CancellationScope;
  /** Set by finish: the pipeline's final state, sent with the last records. */
  private ending?: 'succeeded' | 'failed' | 'cancelled';
  /** Set by finish: the pipeline's headline metrics, logged to its own run at its end. */
  private headline?: Record<string, number>;
  /** Set by flush: what is queued goes without waiting for the batch to fill. */
  private flushing = false;
  private endSent = false;
  /** Model versions registered by steps, by step key. */
  readonly versions = new Map<string, Promise<string | undefined>>();
  readonly parent: Promise<PipelineTracking | undefined>;

  constructor(
    pipeline: string,
    params: Record<string, unknown>,
    private readonly opts: TrackingOptions,
  ) {
    this.acts = proxyActivities<TidemarkActivities>({
      startToCloseTimeout: '1 minute',
      scheduleToCloseTimeout: opts.catchUpWithinMs,
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '20 seconds' },
    });
    for (const [key, version] of Object.entries(opts.versions ?? {})) this.versions.set(key, Promise.resolve(version));
    this.parent = !opts.enabled
      ? Promise.resolve(undefined)
      : opts.resume
        ? Promise.resolve(opts.resume)
        : this.acts.trackPipelineStart({ pipeline, params }).then(
            (t) => {
              upsertMemo({ mlflow: { runId: t.runId, experimentId: t.experimentId, url: t.url } });
              return t;
            },
            (err: unknown) => this.gaveUp('the pipeline run', err),
          );
  }

  private gaveUp(what: string, err: unknown): undefined {
    log.warn(`MLflow tracking of ${what} gave up`, { error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }

  /** Creates the step's run now (a step on the host network logs into it from inside). */
  async stepRun(stepKey: string): Promise<string | undefined> {
    const parent = await this.parent;
    if (!parent) return undefined;
    return this.acts.trackStepStart({ parent, stepKey }).then(
      (r) => r.runId,
      (err: unknown) => this.gaveUp(`step ${stepKey}`, err),
    );
  }

  /**
   * Records a finished step, in the background and in batches: records wait until
   * BATCH_SIZE of them are queued, or for at most BATCH_WINDOW_MS, or for the end of the
   * pipeline, and go to MLflow together in one activity; those that finish while a call is in
   * flight go in the next. A wide fan-out, or a chain of short steps, then costs a few
   * activities instead of one per step.
   */
  step(
    stepKey: string,
    state: StepStateName,
    data: {
      runId?: string;
      params: Record<string, unknown>;
      metrics: Record<string, number>;
      tags: Record<string, string>;
      outputs: Record<string, ArtifactRef | ArtifactRef[]>;
      log?: ArtifactRef;
      register?: { model: string; name: string };
      startedAt?: number;
    },
  ): void {
    if (!this.opts.enabled) return;
    const record: TrackStepRecord = {
      stepKey,
      state,
      runId: data.runId,
      params: data.params,
      metrics: data.metrics,
      tags: data.tags,
      outputs: data.outputs,
      log: data.log,
      register: data.register,
      startedAt: data.startedAt,
      endedAt: Date.now(),
    };
    const version = new Promise<string | undefined>((resolve) => this.queue.push({ record, resolve }));
    this.versions.set(stepKey, version);
    this.pending.push(version);
    this.schedule();
  }

  /** Sends what is queued without waiting for the batch to fill (after a call in flight, if any). */
  flush(): void {
    if (!this.opts.enabled || this.queue.length === 0) return;
    this.flushing = true;
    this.send();
  }

  /** Sends the queue now when it is full, or starts the timer that sends it within the window. */
  private schedule(): void {
    if (this.sending || this.queue.length === 0) return;
    if (this.queue.length >= BATCH_SIZE) return this.send();
    if (this.timer) return;
    const timer = new CancellationScope();
    this.timer = timer;
    timer
      .run(() => sleep(BATCH_WINDOW_MS))
      .then(
        () => {
          if (this.timer !== timer) return;
          this.timer = undefined;
          this.send();
        },
        () => {
          // Cancelled: a full queue or the pipeline's end sent the records, or the pipeline is
          // being cancelled and its end will.
          if (this.timer === timer) this.timer = undefined;
        },
      );
  }

  /** Sends the queued records, one call at a time; the pipeline's end goes with the last call. */
  private send(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.sending || (this.queue.length === 0 && !this.ending)) return;
    this.sending = CancellationScope.nonCancellable(async () => {
      try {
        const parent = await this.parent;
        do {
          const batch = this.queue.splice(0);
          this.flushing = false;
          const end = this.ending && !this.endSent ? { state: this.ending, metrics: this.headline } : undefined;
          const keys = batch.map((b) => b.record.stepKey);
          const summary = `MLflow · ${keys.length ? listed(keys) : 'pipeline end'}`;
          const r = parent
            ? await this.acts.trackSteps
                .executeWithOptions({ summary }, [{ parent, steps: batch.map((b) => b.record), end }])
                .catch((err: unknown) =>
                  this.gaveUp(
                    batch.length ? `steps ${batch.map((b) => b.record.stepKey).join(', ')}` : 'the pipeline run',
                    err,
                  ),
                )
            : undefined;
          if (end) this.endSent = true;
          for (const b of batch) b.resolve(r?.modelVersions[b.record.stepKey]);
        } while (
          this.queue.length >= BATCH_SIZE ||
          (this.flushing && this.queue.length) ||
          (this.ending && (this.queue.length || !this.endSent))
        );
      } finally {
        this.sending = undefined;
      }
      this.schedule();
    });
  }

  /** Sends what is queued and waits for every record so far, leaving the pipeline's run open (before continuing as new). */
  async drain(): Promise<void> {
    if (!this.opts.enabled) return;
    await CancellationScope.nonCancellable(async () => {
      this.flush();
      while (this.sending) await this.sending;
      await Promise.all(this.pending);
    });
  }

  /** Promotes the version a step registered to `alias` when `value` beats the alias holder's. */
  async promote(
    stepKey: string,
    modelName: string,
    p: { alias: string; metric: string; greaterIsBetter: boolean },
    value: number,
  ): Promise<Promotion | undefined> {
    if (this.queue.some((q) => q.record.stepKey === stepKey)) this.send(); // no need to wait for the window
    const version = await this.versions.get(stepKey);
    if (!version) return undefined;
    const r = await this.acts
      .promoteModel({
        name: modelName,
        version,
        alias: p.alias,
        metric: p.metric,
        value,
        greaterIsBetter: p.greaterIsBetter,
      })
      .catch((err: unknown) => this.gaveUp(`promotion of ${modelName}`, err));
    if (!r) return undefined;
    log.info(
      r.promoted
        ? `promoted ${modelName} v${version} to ${p.alias}`
        : `${modelName} v${version} does not beat ${p.alias} v${r.previous}`,
    );
    return { model: modelName, version, alias: p.alias, promoted: r.promoted, previous: r.previous };
  }

  /**
   * Sends what is queued, waits for every step record, and ends the pipeline's run with its final
   * status and its headline metrics (see headlineMetrics).
   */
  async finish(state: 'succeeded' | 'failed' | 'cancelled', headline: Record<string, number> = {}): Promise<void> {
    if (!this.opts.enabled) return;
    await CancellationScope.nonCancellable(async () => {
      while (this.sending) await this.sending;
      this.ending = state;
      this.headline = headline;
      this.send(); // the last records and the pipeline's end, in one call
      while (this.sending) await this.sending;
      await Promise.all(this.pending);
    });
  }
}
