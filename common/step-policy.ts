import { ENV } from './env.js';
import { mapOverSource, type PipelineSpec } from './pipeline-spec.js';

/**
 * What a pipeline may ask of the worker that runs it. A spec is code that other people wrote, so
 * the worker's operator decides: which of the worker's environment variables a step may receive
 * as secrets, how many CPUs, how much memory and how many GPUs a step may ask for, and how large a
 * pipeline may be. Pure functions here (the pipeline workflow summarises its spec with them); the
 * worker checks the summary before any step starts, and the runStep activity checks each step again.
 */

/** A worker variable whose name starts with this may always be handed to a step as a secret. */
export const SECRET_PREFIX = 'TIDEMARK_SECRET_';

/**
 * Variables that hold the worker's own credentials (the artifact store's, MLflow's, Temporal's,
 * the stack's database's). No allowlist makes them a step's: a step that needs such a credential
 * gets its own copy in a TIDEMARK_SECRET_* variable.
 */
export const WORKER_CREDENTIALS: readonly string[] = [
  ENV.s3AccessKey,
  ENV.s3SecretKey,
  'AWS_SESSION_TOKEN',
  'MINIO_ROOT_USER',
  'MINIO_ROOT_PASSWORD',
  ENV.mlflowUsername,
  ENV.mlflowPassword,
  'MLFLOW_TRACKING_TOKEN',
  'MLFLOW_AUTH_ADMIN_PASSWORD',
  'MLFLOW_FLASK_SERVER_SECRET_KEY',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TIDEMARK_POSTGRES_PASSWORD',
];

/** The bounds a worker enforces (from its config: `steps`). */
export interface StepLimits {
  /** Worker variables a step may read besides TIDEMARK_SECRET_*. */
  secrets: readonly string[];
  maxCpus?: number;
  maxMemoryMiB?: number;
  maxGpus?: number;
  maxPerPipeline: number;
  maxMapItems: number;
}

/** What one step asks for. */
export interface StepDemand {
  /** Where the step is, as a person reads it: `step "train"`, `step "sub" > step "train"`. */
  where: string;
  secretEnv: Record<string, string>;
  resources: { cpus?: number; memoryMiB?: number; gpus?: number };
  /** Items of its `map`, when it has one. */
  mapItems?: number;
}

/** What a pipeline asks for: its steps (nested pipelines' included) and how many there are. */
export interface PipelineDemand {
  pipeline: string;
  steps: StepDemand[];
  totalSteps: number;
}

/** Why a step may not read worker variable `from` as its secret `name`; undefined when it may. */
export function secretRefusal(
  where: string,
  name: string,
  from: string,
  allowed: readonly string[] | undefined,
): string | undefined {
  const field = `${where}, field secretEnv.${name}`;
  if (WORKER_CREDENTIALS.includes(from))
    return `${field}: the worker variable ${from} holds the worker's own credentials and is never handed to a step; give the step a credential of its own in a ${SECRET_PREFIX}* variable on the worker`;
  if (allowed === undefined || from.startsWith(SECRET_PREFIX) || allowed.includes(from)) return undefined;
  return `${field}: the worker variable ${from} is not one a step may read. On the worker, name it ${SECRET_PREFIX}${from.replace(/^TIDEMARK_/, '')}, or add ${from} to ${ENV.stepSecrets} (steps.secrets in its config)`;
}

const RESOURCE_BOUNDS = [
  { field: 'cpus', limit: 'maxCpus', env: ENV.stepMaxCpus },
  { field: 'memoryMiB', limit: 'maxMemoryMiB', env: ENV.stepMaxMemoryMiB },
  { field: 'gpus', limit: 'maxGpus', env: ENV.stepMaxGpus },
] as const;

/** Every way a step goes beyond the worker's bounds (secrets, resources, map items). */
export function stepProblems(step: StepDemand, limits: StepLimits): string[] {
  const problems: string[] = [];
  for (const [name, from] of Object.entries(step.secretEnv)) {
    const refusal = secretRefusal(step.where, name, from, limits.secrets);
    if (refusal) problems.push(refusal);
  }
  for (const { field, limit, env } of RESOURCE_BOUNDS) {
    const asked = step.resources[field];
    const most = limits[limit];
    if (asked !== undefined && most !== undefined && asked > most)
      problems.push(
        `${step.where}, field resources.${field}: ${asked} is more than this worker allows (${most}); ask for at most ${most}, or raise the bound with ${env} (steps.${limit}) on the worker`,
      );
  }
  if (step.mapItems !== undefined && step.mapItems > limits.maxMapItems)
    problems.push(
      `${step.where}, field map.over: ${step.mapItems} items, more than this worker allows in one map (${limits.maxMapItems}); split the list, or raise the bound with ${ENV.maxMapItems} (steps.maxMapItems) on the worker`,
    );
  return problems;
}

/** Every way a pipeline goes beyond the worker's bounds. */
export function pipelineProblems(demand: PipelineDemand, limits: StepLimits): string[] {
  const problems = demand.steps.flatMap((s) => stepProblems(s, limits));
  if (demand.totalSteps > limits.maxPerPipeline)
    problems.unshift(
      `pipeline "${demand.pipeline}" has ${demand.totalSteps} steps (nested pipelines' included), more than this worker allows (${limits.maxPerPipeline}); split it, or raise the bound with ${ENV.maxStepsPerPipeline} (steps.maxPerPipeline) on the worker`,
    );
  return problems;
}

/** What a validated pipeline asks for, with `params` deciding the length of `map.over: ${params.x}`. */
export function pipelineDemand(spec: PipelineSpec, params: Record<string, unknown>): PipelineDemand {
  const steps: StepDemand[] = [];
  const walk = (s: PipelineSpec, prefix: string, ps: Record<string, unknown>): number => {
    let total = 0;
    for (const step of s.steps) {
      const where = `${prefix}step "${step.name}"`;
      const over = step.map ? mapOverSource(step.map.over) : undefined;
      // A file's items are counted where it is read (activities/steps/map-items.ts), against the same bound.
      const items = over?.kind === 'list' ? over.items : over?.kind === 'param' ? ps[over.name] : undefined;
      const mapItems = Array.isArray(items) ? items.length : undefined;
      total += 1;
      if (step.kind === 'container')
        steps.push({ where, secretEnv: step.secretEnv, resources: step.resources, mapItems });
      else steps.push({ where, secretEnv: {}, resources: {}, mapItems });
      if (step.kind === 'pipeline')
        total += walk(step.pipeline, `${where} > `, { ...step.pipeline.params, ...step.params });
    }
    return total;
  };
  const totalSteps = walk(spec, '', params);
  return { pipeline: spec.name, steps, totalSteps };
}
