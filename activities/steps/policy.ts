import { availableParallelism, totalmem } from 'node:os';
import type { TidemarkConfig } from '../../common/config.js';
import { pipelineProblems, stepProblems, type PipelineDemand, type StepLimits } from '../../common/step-policy.js';
import type { RunStepInput } from '../../common/step-run.js';
import type { TidemarkDeps } from '../deps.js';
import { StepPolicyError } from '../errors.js';

/**
 * The worker's bounds: its config, with (on Docker) this machine's cores and memory where the
 * config sets none. On Kubernetes the worker's machine is not where steps run: without a bound in
 * the config, the cluster's scheduler decides, and a step no node can hold fails naming it.
 */
export function stepLimits(config: TidemarkConfig): StepLimits {
  const s = config.steps;
  const local = config.containers.backend === 'docker';
  return {
    secrets: s.secrets,
    maxCpus: s.maxCpus ?? (local ? availableParallelism() : undefined),
    maxMemoryMiB: s.maxMemoryMiB ?? (local ? Math.floor(totalmem() / 2 ** 20) : undefined),
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
