import type { StepState, StepStateName } from '../../common/messages.js';
import { dependencies, type PipelineSpec } from '../../common/pipeline-spec.js';
import type { PipelineTracking } from '../../common/tracking.js';
import type { Outcome } from './step-run.js';

/**
 * A pipeline with thousands of steps outgrows one history (several events a step; Temporal warns
 * at 10,240 and terminates at 51,200). Past HISTORY_BUDGET events it stops starting steps, lets
 * the running ones end, and continues as new with what the rest need: which steps ended, the
 * outcomes that later steps, the pipeline's outputs or its promotion read, the counts by state,
 * the failures so far and its MLflow run. The steps that were waiting start in the new run.
 */
export const HISTORY_BUDGET = 8_000;

/** What a pipeline carries into its next run. */
export interface ContinuedRun {
  /** Runs before this one. */
  runs: number;
  startedAt: number;
  /** Indexes into the spec's steps of those that ended in earlier runs, as [from, to) ranges. */
  ended: [number, number][];
  /** Outcomes of ended steps that a later step, an output or the promotion reads. */
  outcomes: Record<string, Outcome>;
  /** Ended steps of earlier runs by how they ended. */
  counts: Partial<Record<StepStateName, number>>;
  failures: string[];
  mlflow?: PipelineTracking;
  /** Model versions registered by steps of earlier runs (the promoted step's). */
  versions: Record<string, string>;
}

const ENDED: StepStateName[] = ['succeeded', 'cached', 'failed', 'skipped', 'cancelled'];

/** Sorted indexes as [from, to) ranges. */
export function toRanges(indexes: number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const i of [...indexes].sort((a, b) => a - b)) {
    const last = out.at(-1);
    if (last && last[1] === i) last[1] = i + 1;
    else out.push([i, i + 1]);
  }
  return out;
}

export function fromRanges(ranges: [number, number][]): Set<number> {
  const out = new Set<number>();
  for (const [a, b] of ranges) for (let i = a; i < b; i++) out.add(i);
  return out;
}

/** What the next run needs, from this run's step states and settled outcomes and the earlier runs'. */
export function carryOver(
  spec: PipelineSpec,
  states: StepState[],
  settled: Map<string, Outcome>,
  before: ContinuedRun | undefined,
  extra: Pick<ContinuedRun, 'failures' | 'mlflow' | 'versions' | 'startedAt'>,
): ContinuedRun {
  const byKey = new Map(states.filter((s) => s.mapIndex === undefined).map((s) => [s.key, s]));
  const endedBefore = fromRanges(before?.ended ?? []);
  const counts = { ...before?.counts };
  const ended: number[] = [];
  spec.steps.forEach((step, i) => {
    const state = byKey.get(step.name)?.state;
    if (endedBefore.has(i)) ended.push(i);
    else if (state && ENDED.includes(state) && settled.has(step.name)) {
      ended.push(i);
      counts[state] = (counts[state] ?? 0) + 1;
    }
  });
  const endedNames = new Set(ended.map((i) => spec.steps[i]!.name));
  const read = new Set([
    ...spec.steps.filter((s) => !endedNames.has(s.name)).flatMap((s) => dependencies(s)),
    ...Object.values(spec.outputs).map((r) => r.split('.')[0]!),
    ...(spec.promote ? [spec.promote.step, spec.promote.metric.split('.')[0]!] : []),
  ]);
  const outcomes: Record<string, Outcome> = {};
  for (const name of read)
    if (endedNames.has(name)) {
      const o = settled.get(name) ?? before?.outcomes[name];
      if (o) outcomes[name] = o;
    }
  return {
    runs: (before?.runs ?? 0) + 1,
    ended: toRanges(ended),
    outcomes,
    counts,
    ...extra,
  };
}
