import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  patched,
  proxyActivities,
  proxyLocalActivities,
} from '@temporalio/workflow';
import type { TidemarkActivities } from '../activities/index.js';
import type { ArtifactRef } from '../common/artifact.js';
import { LONG_ACTIVITY_HEARTBEAT_TIMEOUT, OUTAGE_RETRY_MAX_INTERVAL } from '../common/activity-timeouts.js';
import { STEP_RUN_FIELDS, type BuildImageResult, type RunStepInput, type StepResult } from '../common/step-run.js';
import { stepSchemas, type StepSpec, type StepSpecInput } from '../common/step-spec.js';
import { userErrors } from '../common/zod-messages.js';

/** How long a step may go without a heartbeat before Temporal retries it on another worker. */
export const STEP_HEARTBEAT_TIMEOUT = LONG_ACTIVITY_HEARTBEAT_TIMEOUT;

/** How long a step may keep retrying through an outage (of the store, of Docker) before it fails. */
const OUTAGE_ALLOWANCE_MS = 24 * 3_600_000;

/**
 * The activity's summary (its user metadata), so that a timeline of many `runStep` bars tells
 * which is `train`: `train · runStep`, `noop[3] · buildImage`. The Web UI's timeline puts it
 * after the activity type; its list of events with metadata shows it alone.
 */
export function stepSummary(stepKey: string, activity: string): string {
  return `${stepKey} · ${activity}`;
}

function stepActivities(stepKey: string, timeoutMs: number) {
  return proxyActivities<TidemarkActivities>({
    summary: stepSummary(stepKey, 'runStep'),
    // The activity stops the container at the step's timeout; this is only a backstop that
    // leaves room for downloads and uploads.
    startToCloseTimeout: timeoutMs + 30 * 60_000,
    // Attempts are not counted: a step that exited 0 waits for the store however long it is away
    // (its outputs are kept), retrying every few seconds, so it goes on soon after the store is back.
    scheduleToCloseTimeout: timeoutMs + OUTAGE_ALLOWANCE_MS,
    heartbeatTimeout: STEP_HEARTBEAT_TIMEOUT,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: OUTAGE_RETRY_MAX_INTERVAL },
  });
}

/** The cache look-up before a step's activity: local, short, and never the step's failure (runStep looks again). */
const { lookupStepCache } = proxyLocalActivities<TidemarkActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 2 },
});

const buildActivities = (stepKey: string) =>
  proxyActivities<TidemarkActivities>({
    summary: stepSummary(stepKey, 'buildImage'),
    startToCloseTimeout: '1 hour',
    heartbeatTimeout: LONG_ACTIVITY_HEARTBEAT_TIMEOUT,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumInterval: OUTAGE_RETRY_MAX_INTERVAL, maximumAttempts: 20 },
  });

/** The named fields of an object, and nothing else (no `when`, `map` or other spec fields in history). */
function pick<T extends object, K extends keyof T>(obj: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, obj[k]])) as Pick<T, K>;
}

/** True when an activity failed because the step's container exited non-zero. */
export function isStepExit(err: unknown): err is ActivityFailure & { cause: ApplicationFailure } {
  return (
    err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === 'StepExitError'
  );
}

export interface StepHooks {
  onImage?(image: BuildImageResult): void;
  onAttempt?(attempt: number): void;
  /**
   * Runs the step's build and container activities inside the caller's budget of steps at once
   * (a sharded map's leaf); the cache look-up stays outside it, since it starts no container.
   */
  slot?<T>(work: () => Promise<T>): Promise<T>;
}

export interface ContainerStepRun {
  stepKey: string;
  pipeline?: string;
  inputs: Record<string, ArtifactRef | ArtifactRef[]>;
  mlflowRunId?: string;
}

/** Runs a validated step: builds its image when it has a `build`, then runs it, retrying a failing container `retries` times. */
export async function runValidatedStep(
  step: StepSpec,
  run: ContainerStepRun,
  hooks: StepHooks = {},
): Promise<StepResult> {
  const inSlot = hooks.slot ?? (<T>(work: () => Promise<T>) => work());
  let image = step.image;
  if (!image) {
    const built = await inSlot(() =>
      buildActivities(run.stepKey).buildImage({
        stepKey: run.stepKey,
        context: step.build!.context,
        dockerfile: step.build!.dockerfile,
        args: step.build!.args,
        network: step.build!.network,
      }),
    );
    hooks.onImage?.(built);
    image = built.image;
  }
  const { runStep: runStepActivity } = stepActivities(run.stepKey, step.timeout);
  for (let attempt = 0; ; attempt++) {
    hooks.onAttempt?.(attempt);
    const input: RunStepInput = {
      ...pick(step, STEP_RUN_FIELDS),
      stepKey: run.stepKey,
      attempt,
      pipeline: run.pipeline,
      image,
      inputs: run.inputs,
      timeoutMs: step.timeout,
      mlflowRunId: run.mlflowRunId,
    };
    // Histories recorded before the look-up moved into the workflow replay without it.
    if (attempt === 0 && step.cache.enabled && patched('tidemark-local-cache-lookup')) {
      const hit = await lookupStepCache(input).catch(() => null);
      if (hit) return hit;
    }
    try {
      return await inSlot(() => runStepActivity(input));
    } catch (err) {
      if (isStepExit(err) && attempt < step.retries) continue;
      throw err;
    }
  }
}

/**
 * Code-first: run one container step from your own workflow.
 *
 *   const { outputs } = await runStep({ name: 'train', image: 'tidemark/python-ml:latest', … }, { inputs: { data } });
 *
 * The spec is validated here; an invalid one fails the workflow (not just the task) with every problem listed.
 */
export async function runStep(
  spec: StepSpecInput,
  opts: { inputs?: Record<string, ArtifactRef | ArtifactRef[]>; stepKey?: string } = {},
): Promise<StepResult> {
  const parsed = stepSchemas().StepSpecSchema.safeParse(spec, { error: userErrors });
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `step "${spec.name}", field ${i.path.join('.') || '(step)'}: ${i.message}`,
    );
    throw ApplicationFailure.nonRetryable(`Invalid step spec:\n${problems.join('\n')}`, 'InvalidStepSpec');
  }
  return runValidatedStep(parsed.data, { stepKey: opts.stepKey ?? parsed.data.name, inputs: opts.inputs ?? {} });
}
