import { LONG_ACTIVITY_HEARTBEAT_TIMEOUT } from '../../common/activity-timeouts.js';
import {
  ActivityCancellationType,
  ApplicationFailure,
  proxyActivities,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { TidemarkActivities } from '../../activities/index.js';
import type { ArtifactRef } from '../../common/artifact.js';
import { interpolate } from '../../common/interpolate.js';
import type { CheckStep } from '../../common/pipeline-spec.js';
import { DriftAlarm } from '../../common/search-attributes.js';
import type { InputSource } from '../../common/step-spec.js';
import { stepSummary } from '../step-runner.js';
import type { Outcome, StepRun } from './step-run.js';

const { checkBatch } = proxyActivities<TidemarkActivities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: LONG_ACTIVITY_HEARTBEAT_TIMEOUT,
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10 },
});

function single(ref: ArtifactRef | ArtifactRef[], what: string): ArtifactRef {
  if (Array.isArray(ref))
    throw ApplicationFailure.nonRetryable(
      `${what} must be one artifact, not the outputs of a mapped step`,
      'InvalidPipelineSpec',
    );
  return ref;
}

/**
 * A check step: runs a checker plugin on a batch (fitting it on the reference first when no
 * state is given). Its alarm is readable by `when` conditions (`<step>.alarm`), sets the
 * DriftAlarm search attribute, and the report and plot go to the step's MLflow run.
 */
export async function runCheckStep(ctx: StepRun<CheckStep>): Promise<Outcome> {
  const { step, key, vars, run, tracker } = ctx;
  const resolve = (src: InputSource) => ctx.resolveInput(src);
  const config = {
    ...interpolate(step.check.config, vars),
    ...Object.fromEntries(
      Object.entries(step.check.inputs).map(([k, src]) => [k, single(resolve(src), `check.inputs.${k}`)]),
    ),
  };
  const result = await checkBatch.executeWithOptions({ summary: stepSummary(key, 'checkBatch') }, [
    {
      stepKey: key,
      plugin: step.check.plugin,
      config,
      batch: single(resolve(step.check.batch), 'check.batch'),
      reference: step.check.reference ? single(resolve(step.check.reference), 'check.reference') : undefined,
      state: step.check.state ? single(resolve(step.check.state), 'check.state') : undefined,
    },
  ]);
  const outputs: Record<string, ArtifactRef> = {
    report: result.report,
    ...(result.state ? { state: result.state } : {}),
  };
  const metrics: Record<string, number> = {
    score: result.score,
    threshold: result.threshold,
    alarm: result.alarm ? 1 : 0,
    insufficient_data: result.status === 'insufficient-data' ? 1 : 0,
    ...(result.pValue !== undefined ? { p_value: result.pValue } : {}),
  };
  const done = run.update(key, {
    state: 'succeeded',
    outputs,
    metrics,
    reason: result.alarm
      ? `ALARM (score ${result.score.toPrecision(3)} vs ${result.threshold.toPrecision(3)})`
      : result.status === 'insufficient-data'
        ? 'insufficient data: too few rows for a verdict (see the report)'
        : 'no alarm',
  });
  if (result.alarm) upsertSearchAttributes([{ key: DriftAlarm, value: true }]);
  tracker.step(key, 'succeeded', {
    startedAt: done.startedAt,
    params: { plugin: step.check.plugin, config: step.check.config },
    metrics,
    tags: {
      alarm: String(result.alarm),
      status: result.status ?? (result.alarm ? 'alarm' : 'ok'),
      'tidemark.step_key': key,
    },
    outputs: { ...outputs, ...(result.plot ? { plot_svg: result.plot.svg, plot_png: result.plot.png } : {}) },
  });
  return { ok: true, outputs, metrics, alarm: result.alarm };
}
