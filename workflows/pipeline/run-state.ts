import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { PipelineStatus, StepState, StepStateName } from '../../common/messages.js';
import { CurrentStep, PipelineName, PipelineStatus as PipelineStatusKey } from '../../common/search-attributes.js';
import { currentDetails, shardDetails } from './current-details.js';

/**
 * The state of every step of one pipeline run. Each change is mirrored where people look:
 * search attributes (status, current step) and the current details shown in the Web UI.
 */
export class PipelineRunState {
  private readonly steps = new Map<string, StepState>();
  private state: PipelineStatus['state'] = 'running';
  private endedAt?: number;
  private currentStep = '';
  private detailsQueued = false;
  /** Steps by state, kept as they change: a shard's details are built from these, not from its 500 items. */
  private readonly counts: Record<StepStateName, number> = {
    pending: 0,
    running: 0,
    cached: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    cancelled: 0,
  };

  /** `consolePage`: the run's page in the Tidemark console, linked from the current details. */
  constructor(
    private readonly name: string,
    private readonly consolePage?: string,
    /** false for a map shard: it is part of a pipeline, not one (no search attributes of its own). */
    private readonly visible = true,
    /** When the pipeline started (an earlier run's start, after it continued as new). */
    private readonly startedAt = Date.now(),
  ) {
    if (visible)
      upsertSearchAttributes([
        { key: PipelineName, value: name },
        { key: PipelineStatusKey, value: 'running' },
      ]);
  }

  add(state: StepState): void {
    const before = this.steps.get(state.key);
    if (before) this.counts[before.state]--;
    this.counts[state.state]++;
    this.steps.set(state.key, state);
    this.changed();
  }

  update(key: string, patch: Partial<StepState>): StepState {
    const before = this.steps.get(key)!;
    const s = { ...before, ...patch };
    this.counts[before.state]--;
    this.counts[s.state]++;
    if (
      patch.state &&
      patch.state !== 'running' &&
      patch.state !== 'pending' &&
      s.startedAt !== undefined &&
      s.endedAt === undefined
    ) {
      s.endedAt = Date.now();
      s.durationMs = s.endedAt - s.startedAt;
    }
    this.steps.set(key, s);
    this.changed();
    return s;
  }

  get(key: string): StepState | undefined {
    return this.steps.get(key);
  }

  all(): StepState[] {
    return [...this.steps.values()];
  }

  /** Steps by state, as they are now. */
  countsByState(): Readonly<Record<StepStateName, number>> {
    return this.counts;
  }

  finish(state: PipelineStatus['state']): void {
    this.state = state;
    this.endedAt = Date.now();
    for (const s of this.steps.values())
      if (s.state === 'pending' || s.state === 'running')
        this.update(s.key, {
          state: state === 'cancelled' ? 'cancelled' : 'skipped',
          reason: s.reason ?? `pipeline ${state}`,
        });
    if (this.visible) upsertSearchAttributes([{ key: PipelineStatusKey, value: state }]);
    this.changed();
  }

  status(): PipelineStatus {
    return { name: this.name, state: this.state, steps: this.all(), startedAt: this.startedAt, endedAt: this.endedAt };
  }

  private changed(): void {
    this.detailsLater();
    if (!this.visible) return;
    // Steps, not map items: the attribute changes only when the set of running steps does.
    const running = [
      ...new Set(
        this.all()
          .filter((s) => s.state === 'running')
          .map((s) => s.step),
      ),
    ].join(',');
    // Between two steps (one done, the next about to start) the attribute keeps the last step
    // instead of flickering to empty: one upsert per step, not two. It clears when the run ends.
    if (running !== this.currentStep && (running || this.state !== 'running')) {
      this.currentStep = running;
      upsertSearchAttributes([{ key: CurrentStep, value: running || null }]);
    }
  }

  /**
   * Rewrites the current details after the code that is running now, once for all the changes it
   * makes (a map adds its 500 items in one loop, and each rewrite reads every step). They are no
   * command (no history event), so when they are written changes nothing on replay.
   */
  private detailsLater(): void {
    if (this.detailsQueued) return;
    this.detailsQueued = true;
    void Promise.resolve().then(() => {
      this.detailsQueued = false;
      setCurrentDetails(
        this.visible
          ? currentDetails(this.status(), this.consolePage)
          : shardDetails(this.name, this.state, this.counts),
      );
    });
  }
}
