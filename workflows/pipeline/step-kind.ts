import type { PipelineStep } from '../../common/pipeline-spec.js';
import { runCheckStep } from './check-step.js';
import { runContainerStep } from './container-step.js';
import { runNestedStep } from './nested-step.js';
import type { Outcome, StepRun } from './step-run.js';

/** Runs one step (or one map item) with its kind's executor; `rawPipeline` is a nested step's spec as written. */
export function runStepOfKind(
  step: PipelineStep,
  ctx: Omit<StepRun<never>, 'step'>,
  rawPipeline: unknown,
): Promise<Outcome> {
  switch (step.kind) {
    case 'container':
      return runContainerStep({ ...ctx, step });
    case 'check':
      return runCheckStep({ ...ctx, step });
    case 'pipeline':
      return runNestedStep({ ...ctx, step }, rawPipeline);
  }
}
