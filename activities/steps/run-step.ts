import { createWriteStream } from 'node:fs';
import { Context } from '@temporalio/activity';
import type { ArtifactRef } from '../../common/artifact.js';
import { NonRetryableError } from '../../common/errors.js';
import type { RunStepInput, StepHeartbeat, StepResult } from '../../common/step-run.js';
import { scopedCredentials } from '../../lib/artifacts/scoped-credentials.js';
import { containerLabels, containerName } from '../../lib/containers/container-name.js';
import { sandboxed, sandboxOptions } from '../../lib/containers/sandbox.js';
import { Redactor } from '../../lib/secrets/redactor.js';
import type { TidemarkDeps } from '../deps.js';
import { StepContractError, StepExitError, StepTimeoutError } from '../errors.js';
import { callingWorkflow } from '../workflow-context.js';
import { cacheKey, lookupCache, writeCache } from './cache.js';
import { assertStepAllowed } from './policy.js';
import { completionRecordKey } from './sweep-finished-steps.js';

const HEARTBEAT_MS = 2000;
const TAIL_LINES = 20;

function resolveSecrets(secretEnv: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, from] of Object.entries(secretEnv)) {
    const value = process.env[from];
    if (value === undefined)
      throw new StepContractError(
        `secret ${name} comes from the worker's environment variable ${from}, which is not set; set it where the worker runs`,
      );
    env[name] = value;
  }
  return env;
}

/**
 * What a step on the host network needs to log into its own MLflow run: the run id, and
 * credentials that can write only below that run's artifact folder, for as long as the step may run.
 */
async function mlflowEnv(deps: TidemarkDeps, runId: string, timeoutMs: number): Promise<Record<string, string>> {
  const run = await deps.mlflow.getRun(runId);
  const creds = await scopedCredentials(deps.config.minio, run.info.artifact_uri, timeoutMs / 1000 + 600);
  return {
    MLFLOW_TRACKING_URI: deps.config.mlflow.trackingUri,
    MLFLOW_RUN_ID: runId,
    MLFLOW_S3_ENDPOINT_URL: deps.config.minio.endpoint,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_SESSION_TOKEN: creds.sessionToken,
    MLFLOW_DISABLE_TELEMETRY: 'true',
    DO_NOT_TRACK: 'true',
  };
}

/** The step's cache key, and its cached result when the cache holds one whose outputs all still exist. */
async function cachedResult(
  deps: TidemarkDeps,
  input: RunStepInput,
  t0: number,
): Promise<{ imageDigest: string; key: string; hit?: StepResult }> {
  const imageDigest = await deps.containers.imageDigest(input.image);
  const key = cacheKey(input, imageDigest);
  const hit = input.cache.enabled ? await lookupCache(deps.store, key) : undefined;
  if (!hit) return { imageDigest, key };
  return {
    imageDigest,
    key,
    hit: {
      stepKey: input.stepKey,
      cached: true,
      outputs: hit.outputs,
      metrics: hit.metrics,
      log: hit.log,
      exitCode: 0,
      durationMs: Date.now() - t0,
      imageDigest,
      cacheKey: key,
    },
  };
}

/**
 * A step's cached result, or null, looked up before any container activity is scheduled: the
 * workflow runs it as a local activity (one marker event in the history instead of an activity's
 * three, and no round trip through the task queue), so a map of cache hits goes at the speed of
 * the store. A miss (or a failed look-up) leaves the step to runStep, which looks again.
 */
export async function lookupStepCacheActivity(deps: TidemarkDeps, input: RunStepInput): Promise<StepResult | null> {
  assertStepAllowed(deps, input);
  if (!input.cache.enabled) return null;
  return (await cachedResult(deps, input, Date.now())).hit ?? null;
}

/**
 * Runs one step container to completion: cache lookup, inputs from MinIO (hash-verified), the
 * container with its limits and no privileges, its log streamed to a file and the heartbeat,
 * outputs and metrics back to MinIO. A retry after a worker crash reattaches to the container of
 * the same name, or collects the one that already exited; it never starts a second one. A step
 * that exited 0 keeps its container and outputs until they are stored, so a retry after a storage
 * outage uploads them instead of running the step again. Every secretEnv value is redacted from
 * the log (file, heartbeats) and from the errors this reports before they leave the worker.
 */
export async function runStepActivity(deps: TidemarkDeps, input: RunStepInput): Promise<StepResult> {
  const ctx = Context.current();
  const { workflowId, runId } = callingWorkflow();
  const name = containerName(workflowId, runId, `${input.stepKey}#${input.attempt}`);
  const record = completionRecordKey(name);
  const tail: string[] = [];
  const state: StepHeartbeat = { stepKey: input.stepKey, phase: 'cache-lookup', container: name, lastLines: [] };
  const beat = () => ctx.heartbeat({ ...state, lastLines: tail.slice(-TAIL_LINES) });
  // The first beat comes after HEARTBEAT_MS, not at once: a short step then costs Temporal no
  // heartbeat at all, and a long one still beats well inside STEP_HEARTBEAT_TIMEOUT.
  const timer = setInterval(beat, HEARTBEAT_MS);
  const staging = deps.staging;
  const t0 = Date.now();
  const stopTimers: (() => void)[] = [];
  let touched = false; // whether this attempt may have left a container or folder behind
  let recorded = false; // whether the attempt's result is recorded, so a retry needs neither
  let exitedOk = false; // whether the container exited 0: its outputs are kept until they are stored
  let failure: unknown;
  let redactor = Redactor.of([]);
  // On a retry (a crash, a lost connection), the container and its record may exist already;
  // on the first attempt they cannot, which spares the look-ups.
  const retry = ctx.info.attempt > 1;
  try {
    assertStepAllowed(deps, input);
    if (retry) {
      const done = await deps.store.readIndex<StepResult>(record);
      if (done) {
        // Finished before a crash lost the activity's result; the crash may have left the
        // container and the folder too.
        touched = recorded = true;
        return done;
      }
    }

    const { imageDigest, key, hit } = await cachedResult(deps, input, t0);
    if (hit) return hit;

    const secrets = resolveSecrets(input.secretEnv);
    redactor = Redactor.of(Object.values(secrets));
    // A step on the host network that has its own MLflow run can log into it directly.
    const tracking =
      input.network === 'host' && input.mlflowRunId ? await mlflowEnv(deps, input.mlflowRunId, input.timeoutMs) : {};
    touched = true;
    if (!retry || !(await deps.containers.exists(name))) {
      state.phase = 'downloading';
      await staging.prepare(name, input.inputs, input.params, { outputs: input.outputs, timeoutMs: input.timeoutMs });
    }
    state.phase = 'running';
    await deps.containers.run(
      staging.attach(
        name,
        sandboxed(
          {
            name,
            image: input.image,
            command: input.command,
            args: input.args,
            env: { ...input.env, ...tracking, ...secrets },
            mounts: [],
            cpus: input.resources.cpus,
            memoryMiB: input.resources.memoryMiB,
            gpus: input.resources.gpus,
            network: input.network,
            labels: {
              ...containerLabels(workflowId, runId, input.stepKey),
              'tidemark.attempt': String(input.attempt),
              ...(input.pipeline ? { 'tidemark.pipeline': input.pipeline } : {}),
            },
            timeoutMs: input.timeoutMs,
          },
          sandboxOptions(deps.config),
          input.runAsRoot,
        ),
      ),
    );
    const log = createWriteStream(staging.logFile(name)); // the whole log, from the container's start
    const exitCode = await Promise.race([
      deps.containers.attach(
        name,
        (raw) => {
          const line = redactor.text(raw);
          log.write(`${line}\n`);
          tail.push(line);
          if (tail.length > TAIL_LINES * 5) tail.splice(0, tail.length - TAIL_LINES);
        },
        ctx.cancellationSignal,
      ),
      ctx.cancelled,
      new Promise<never>((_, reject) => {
        const t = setTimeout(
          () =>
            reject(
              new StepTimeoutError(
                `step "${input.stepKey}" ran longer than its timeout of ${Math.round(input.timeoutMs / 1000)} s and was stopped`,
              ),
            ),
          input.timeoutMs,
        );
        ctx.cancellationSignal.addEventListener('abort', () => clearTimeout(t), { once: true });
        stopTimers.push(() => clearTimeout(t));
      }),
    ]);
    await new Promise<void>((resolve) => log.end(resolve));
    exitedOk = exitCode === 0;

    state.phase = 'uploading';
    const logUpload = deps.store.put(staging.logFile(name), `${input.stepKey}.log`);
    logUpload.catch(() => undefined); // handled: awaited below on every path
    let outputs: Record<string, ArtifactRef>;
    let metrics: Record<string, number>;
    try {
      if (exitCode !== 0) throw new StepExitError(input.stepKey, exitCode, tail.slice(-TAIL_LINES).join('\n'));
      // The outputs go up beside the log.
      ({ outputs, metrics } = await staging.collect(name, input.outputs));
    } catch (err) {
      await logUpload.catch(() => undefined); // the folder goes next; let the log finish first
      throw err;
    }
    const logRef = await logUpload;
    const result: StepResult = {
      stepKey: input.stepKey,
      cached: false,
      outputs,
      metrics,
      log: logRef,
      exitCode,
      durationMs: Date.now() - t0,
      imageDigest,
      cacheKey: key,
      container: name,
    };
    // The completion record before the container goes, so a retry finds the result; the cache
    // entry beside it (a crash between the two costs a later cache miss, nothing more).
    await Promise.all([
      deps.store.writeIndex(record, result),
      input.cache.enabled
        ? writeCache(deps.store, key, {
            outputs,
            metrics,
            log: logRef,
            producedBy: { workflowId, runId, stepKey: input.stepKey },
          })
        : undefined,
    ]);
    recorded = true;
    return result;
  } catch (err) {
    failure = err;
    throw redactor.error(err);
  } finally {
    clearInterval(timer);
    for (const stop of stopTimers) stop();
    // A step that exited 0 and could not store its outputs (the store is away) keeps its exited
    // container and folder: the retry reattaches, collects the exit code and uploads what is
    // there, whatever the outage's length, and never runs the step again.
    const keepForRetry =
      touched &&
      !recorded &&
      exitedOk &&
      failure !== undefined &&
      !(failure instanceof NonRetryableError) &&
      !ctx.cancellationSignal.aborted;
    if (keepForRetry)
      deps.logger.warn(
        { container: name, step: input.stepKey, err: redactor.error(failure) },
        'the step exited 0 but its outputs are not stored yet; kept for the retry',
      );
    else if (touched) {
      // Whatever happened (success, failure, cancellation), leave no container and no folder,
      // unless the worker itself dies here, in which case the retry reattaches and cleans up.
      const removeAll = () =>
        Promise.all([
          deps.containers
            .stop(name)
            .catch((err: unknown) => deps.logger.warn({ err, container: name }, 'could not remove step container')),
          staging.remove(name).catch(() => undefined),
        ]).then(() => undefined);
      // A recorded result needs neither any more: the pipeline goes on while they are removed
      // (and a worker that dies first has them swept at its next start). A failed or cancelled
      // attempt cleans up before it reports, so the workflow sees nothing left behind.
      if (recorded) deps.cleanup.later(`step container ${name}`, removeAll);
      else await removeAll();
    }
  }
}
