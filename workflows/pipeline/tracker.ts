import { CancellationScope, log, proxyActivities, upsertMemo } from '@temporalio/workflow';
import type { TidemarkActivities } from '../../activities';
import type { ArtifactRef } from '../../common/artifact';
import type { StepStateName } from '../../common/messages';
import type { PipelineTracking } from '../../common/tracking';

export interface TrackingOptions {
  enabled: boolean;
  /** How long tracking keeps retrying while MLflow is down before giving up (ms). */
  catchUpWithinMs: number;
}

/**
 * Mirrors a pipeline run into MLflow without ever holding the pipeline up: every call runs
 * beside the steps and retries with backoff while MLflow is away, so steps go on during an
 * outage and the tracking catches up when MLflow returns. `finish` waits for it all.
 */
/** What promotion did with the version a step registered. */
export interface Promotion {
  model: string;
  version: string;
  alias: string;
  promoted: boolean;
  previous?: string;
}

export class PipelineTracker {
  private readonly acts: ReturnType<typeof proxyActivities<TidemarkActivities>>;
  private readonly pending: Promise<unknown>[] = [];
  /** Model versions registered by steps, by step key. */
  readonly versions = new Map<string, Promise<string | undefined>>();
  readonly parent: Promise<PipelineTracking | undefined>;

  constructor(pipeline: string, params: Record<string, unknown>, private readonly opts: TrackingOptions) {
    this.acts = proxyActivities<TidemarkActivities>({
      startToCloseTimeout: '1 minute',
      scheduleToCloseTimeout: opts.catchUpWithinMs,
      retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '20 seconds' },
    });
    this.parent = opts.enabled
      ? this.acts.trackPipelineStart({ pipeline, params }).then((t) => {
        upsertMemo({ mlflow: { runId: t.runId, experimentId: t.experimentId, url: t.url } });
        return t;
      }, (err: unknown) => this.gaveUp('the pipeline run', err))
      : Promise.resolve(undefined);
  }

  private gaveUp(what: string, err: unknown): undefined {
    log.warn(`MLflow tracking of ${what} gave up`, { error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }

  /** Creates the step's run now (a step on the host network logs into it from inside). */
  async stepRun(stepKey: string): Promise<string | undefined> {
    const parent = await this.parent;
    if (!parent) return undefined;
    return this.acts.trackStepStart({ parent, stepKey }).then((r) => r.runId, (err: unknown) => this.gaveUp(`step ${stepKey}`, err));
  }

  /** Records a finished step (in the background). */
  step(stepKey: string, state: StepStateName, data: { runId?: string; params: Record<string, unknown>; metrics: Record<string, number>; tags: Record<string, string>; outputs: Record<string, ArtifactRef | ArtifactRef[]>; log?: ArtifactRef; register?: { model: string; name: string } }): void {
    if (!this.opts.enabled) return;
    const task = CancellationScope.nonCancellable(async () => {
      const record = { stepKey, state, params: data.params, metrics: data.metrics, tags: data.tags, outputs: data.outputs, log: data.log, register: data.register };
      let r;
      if (data.runId) {
        r = await this.acts.trackStepEnd({ runId: data.runId, ...record }).catch((err: unknown) => this.gaveUp(`step ${stepKey}`, err));
      } else {
        const parent = await this.parent;
        if (!parent) return undefined;
        r = await this.acts.trackStep({ parent, ...record }).catch((err: unknown) => this.gaveUp(`step ${stepKey}`, err));
      }
      return r?.modelVersion;
    });
    this.versions.set(stepKey, task);
    this.pending.push(task);
  }

  /** Promotes the version a step registered to `alias` when `value` beats the alias holder's. */
  async promote(stepKey: string, modelName: string, p: { alias: string; metric: string; greaterIsBetter: boolean }, value: number): Promise<Promotion | undefined> {
    const version = await this.versions.get(stepKey);
    if (!version) return undefined;
    const r = await this.acts.promoteModel({ name: modelName, version, alias: p.alias, metric: p.metric, value, greaterIsBetter: p.greaterIsBetter })
      .catch((err: unknown) => this.gaveUp(`promotion of ${modelName}`, err));
    if (!r) return undefined;
    log.info(r.promoted ? `promoted ${modelName} v${version} to ${p.alias}` : `${modelName} v${version} does not beat ${p.alias} v${r.previous}`);
    return { model: modelName, version, alias: p.alias, promoted: r.promoted, previous: r.previous };
  }

  /** Waits for every step record, then ends the pipeline's run with its final status. */
  async finish(state: 'succeeded' | 'failed' | 'cancelled'): Promise<void> {
    if (!this.opts.enabled) return;
    await CancellationScope.nonCancellable(async () => {
      await Promise.all(this.pending);
      const parent = await this.parent;
      if (parent) await this.acts.trackPipelineEnd({ runId: parent.runId, state }).catch((err: unknown) => this.gaveUp('the pipeline run', err));
    });
  }

}
