import { isCancellation } from '@temporalio/workflow';
import { interpolate } from '../../common/interpolate.js';
import type { ContainerStep } from '../../common/pipeline-spec.js';
import { failureMessage } from '../failure-message.js';
import { isStepExit, runValidatedStep } from '../step-runner.js';
import { resolveInputs, type Outcome, type StepRun } from './step-run.js';

/**
 * A container step: builds its image when it has a `build`, runs the container (retrying a
 * failing one `retries` times), and records the step's run in MLflow, failed or not.
 */
export async function runContainerStep(ctx: StepRun<ContainerStep>): Promise<Outcome> {
  const { step, key, vars, run, tracker } = ctx;
  const inputs = resolveInputs(ctx);
  const resolved = {
    ...step,
    params: interpolate(step.params, vars),
    args: interpolate(step.args, vars),
    env: interpolate(step.env, vars),
    command: interpolate(step.command, vars),
  };
  // A step on the host network can log to MLflow itself: its run must exist first.
  const mlflowRunId = resolved.network === 'host' ? await tracker.stepRun(key) : undefined;
  const trackParams = {
    image: resolved.image ?? 'build',
    command: resolved.command,
    args: resolved.args,
    env: resolved.env,
    params: resolved.params,
    outputs: resolved.outputs,
    resources: resolved.resources,
    network: resolved.network,
  };
  try {
    const result = await runValidatedStep(
      resolved,
      { stepKey: key, pipeline: ctx.pipelineName, inputs, mlflowRunId },
      {
        onImage: (b) => run.update(key, { image: b.image }),
        onAttempt: (attempt) => run.update(key, { attempt }),
        slot: ctx.slot,
      },
    );
    const done = run.update(key, {
      state: result.cached ? 'cached' : 'succeeded',
      outputs: result.outputs,
      metrics: result.metrics,
      log: result.log,
      exitCode: result.exitCode,
      image: resolved.image ?? run.get(key)!.image,
    });
    tracker.step(key, done.state, {
      runId: mlflowRunId,
      startedAt: done.startedAt,
      params: { ...trackParams, image_digest: result.imageDigest, cache_key: result.cacheKey },
      metrics: {
        ...result.metrics,
        duration_s: (done.durationMs ?? result.durationMs) / 1000,
        exit_code: result.exitCode,
      },
      tags: { cached: String(result.cached), 'tidemark.step_key': key },
      outputs: result.outputs,
      log: result.log,
      register: resolved.register,
    });
    return { ok: true, outputs: result.outputs, metrics: result.metrics };
  } catch (err) {
    if (!isCancellation(err)) {
      const exit = isStepExit(err) ? (err.cause.details?.[0] as { exitCode?: number } | undefined) : undefined;
      tracker.step(key, 'failed', {
        runId: mlflowRunId,
        startedAt: run.get(key)!.startedAt,
        params: trackParams,
        metrics: exit?.exitCode !== undefined ? { exit_code: exit.exitCode } : {},
        tags: { cached: 'false', error: failureMessage(err).slice(0, 4000) },
        outputs: {},
      });
    }
    throw err;
  }
}
