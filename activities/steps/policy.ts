import { availableParallelism, totalmem } from 'node:os';
import type { TidemarkConfig } from '../../common/config.js';
import { pipelineProblems, stepProblems, type PipelineDemand, type StepLimits } from '../../common/step-policy.js';
import type { RunStepInput } from '../../common/step-run.js';
import type { TidemarkDeps } from '../deps.js';
import { StepPolicyError } from '../errors.js';

/** The worker's bounds: its config, with this machine's cores and memory where the config sets none. */
export function stepLimits(config: TidemarkConfig): StepLimits {
  const s = config.steps;
  return {
    secrets: s.secrets,
    maxCpus: s.maxCpus ?? availableParallelism(),
    maxMemoryMiB: s.maxMemoryMiB ?? Math.floor(totalmem() / 2 ** 20),
    maxGpus: s.maxGpus,
    maxPerPipeline: s.maxPerPipeline,
    maxMapItems: s.maxMapItems,
  };
}

/**
 * The pipeline workflow's first activity: refuses a pipeline that asks for more than this worker
 * allows, before any step runs (the client that started it cannot see the worker's config).
 */
export function checkPipelinePolicyActivity(deps: Pick<TidemarkDeps, 'config'>, demand: PipelineDemand): void {
  const problems = pipelineProblems(demand, stepLimits(deps.config));
  if (problems.length) throw new StepPolicyError(problems);
}

/** The same check for one step, in the runStep activity (code-first steps, and pipelines started before the check existed). */
export function assertStepAllowed(deps: Pick<TidemarkDeps, 'config'>, input: RunStepInput): void {
  const problems = stepProblems(
    { where: `step "${input.stepKey}"`, secretEnv: input.secretEnv, resources: input.resources },
    stepLimits(deps.config),
  );
  if (problems.length) throw new StepPolicyError(problems);
}
