import type { ArtifactRef } from '../../common/artifact.js';
import type { InputSource } from '../../common/step-spec.js';
import type { PipelineRunState } from './run-state.js';
import type { PipelineTracker } from './tracker.js';

export type Outputs = Record<string, ArtifactRef | ArtifactRef[]>;

/** How one step (or one map item) ended, as the steps after it see it. */
export interface Outcome {
  ok: boolean;
  outputs: Outputs;
  metrics?: Record<string, number>;
  alarm?: boolean;
  reason?: string;
}

/**
 * What the executor of one step kind gets: the step, its key (`train`, `train[3]` for a map
 * item), the template variables, how to turn an input source into refs, and the pipeline's
 * state and tracker. Each kind has its executor beside this file: container-step.ts,
 * check-step.ts, nested-step.ts.
 */
export interface StepRun<S> {
  step: S;
  key: string;
  vars: Record<string, unknown>;
  pipelineName: string;
  /** The Tidemark console's URL, passed on to nested pipelines. */
  consoleUrl?: string;
  resolveInput(src: InputSource): ArtifactRef | ArtifactRef[];
  run: PipelineRunState;
  tracker: PipelineTracker;
  /** A container step's build and run go through this (a sharded map's budget of containers at once). */
  slot?<T>(work: () => Promise<T>): Promise<T>;
}

/** Every input of a step, resolved to refs. */
export function resolveInputs<S extends { inputs: Record<string, InputSource> }>(ctx: StepRun<S>): Outputs {
  return Object.fromEntries(Object.entries(ctx.step.inputs).map(([k, src]) => [k, ctx.resolveInput(src)]));
}
