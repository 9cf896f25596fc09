import { strict as assert } from 'node:assert';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { RunStepInput, StepHeartbeat, StepResult } from '../../common/step-run.js';
import type { TidemarkDeps } from '../../activities/deps.js';
import { mapFailures } from '../../activities/failures.js';
import { runStepActivity } from '../../activities/steps/run-step.js';
import { cacheKey } from '../../activities/steps/cache.js';
import { completionRecordKey } from '../../activities/steps/sweep-finished-steps.js';
import { containerName } from '../../lib/containers/container-name.js';
import { tempFolder } from '../helpers/temp.js';
import { memoryDeps, silentLogger } from '../helpers/unit.js';

const WORKFLOW = { workflowId: 'wf-unit', runId: 'run-unit' };

/** A resolved step as the pipeline hands it to the activity. */
function stepInput(overrides: Partial<RunStepInput> = {}): RunStepInput {
  return {
    stepKey: 'train',
    attempt: 0,
    image: 'tidemark/busybox:latest',
    args: ['sh', '-c', 'echo hi > /outputs/out.txt'],
    env: {},
    secretEnv: {},
    params: { n: 1 },
    inputs: {},
    outputs: { out: 'out.txt' },
    resources: {},
    network: 'none',
    runAsRoot: false,
    cache: { enabled: false, version: '1' },
    timeoutMs: 60_000,
    ...overrides,
  };
}

/** An activity environment as Temporal would give the step's `attempt`-th try. */
function activityEnv(attempt = 1): MockActivityEnvironment {
  return new MockActivityEnvironment(
    { attempt, activityType: 'runStep', workflowExecution: WORKFLOW, heartbeatTimeoutMs: 30_000 },
    { logger: silentLogger },
  );
}

/** Runs the step activity in `env`, as the worker runs it (its errors mapped to failures). */
function runStep(env: MockActivityEnvironment, deps: TidemarkDeps, input: RunStepInput): Promise<StepResult> {
  return env.run(
    mapFailures((i: RunStepInput) => runStepActivity(deps, i)),
    input,
  );
}

describe('the step activity (runStep) over in-memory services', () => {
  const temp = tempFolder('run-step');

  it('runs the container, streams its log, stores its outputs and metrics, and records the result', async () => {
    const deps = memoryDeps(temp.dir);
    deps.containers.script = { lines: ['starting', 'done'], exitCode: 0 };
    deps.staging.outputs = { out: 'hi\n' };
    deps.staging.metrics = { accuracy: 0.9 };
    const result = await runStep(activityEnv(), deps, stepInput());
    const name = containerName(WORKFLOW.workflowId, WORKFLOW.runId, 'train#0');
    assert.equal(result.cached, false);
    assert.equal(result.exitCode, 0);
    assert.equal(result.container, name);
    assert.deepEqual(result.metrics, { accuracy: 0.9 });
    assert.equal((await deps.store.getBytes(result.outputs.out!)).toString(), 'hi\n');
    assert.equal((await deps.store.getBytes(result.log!)).toString(), 'starting\ndone\n');
    assert.deepEqual(deps.staging.prepared.get(name)?.params, { n: 1 });
    assert.deepEqual(await deps.store.readIndex(completionRecordKey(name)), result);
    // The recorded step's container and staging go after the activity returns.
    await deps.cleanup.drain();
    assert.deepEqual(deps.containers.stopped, [name]);
    assert.deepEqual(deps.staging.removed, [name]);
  });

  it('heartbeats while the container runs, with the phase and the latest log lines', async function () {
    this.timeout(20_000);
    const deps = memoryDeps(temp.dir);
    deps.containers.script = { lines: ['epoch 1', 'epoch 2'], runsForMs: 2_600, exitCode: 0 };
    const env = activityEnv();
    const beats: StepHeartbeat[] = [];
    env.on('heartbeat', (d: StepHeartbeat) => beats.push(d));
    await runStep(env, deps, stepInput());
    assert.ok(beats.length >= 1, 'at least one heartbeat in 2.6 s (one every 2 s)');
    assert.equal(beats[0]!.stepKey, 'train');
    assert.equal(beats[0]!.phase, 'running');
    assert.deepEqual(beats[0]!.lastLines, ['epoch 1', 'epoch 2']);
  });

  it('stops and removes the container and its staging when the activity is cancelled', async () => {
    const deps = memoryDeps(temp.dir);
    deps.containers.script = { lines: ['working'], hangs: true };
    const env = activityEnv();
    const running = runStep(env, deps, stepInput());
    while (deps.containers.started.length === 0) await new Promise((r) => setTimeout(r, 5));
    env.cancel();
    await assert.rejects(running, (err: unknown) => err instanceof CancelledFailure);
    const name = deps.containers.started[0]!.name;
    assert.deepEqual(deps.containers.stopped, [name]);
    assert.deepEqual(deps.staging.removed, [name]);
    assert.equal(await deps.store.readIndex(completionRecordKey(name)), undefined);
  });

  it('returns a cache hit without starting a container when the same step ran before', async () => {
    const deps = memoryDeps(temp.dir);
    deps.staging.outputs = { out: 'cached bytes' };
    const input = stepInput({ cache: { enabled: true, version: '1' } });
    const first = await runStep(activityEnv(), deps, input);
    assert.equal(first.cached, false);
    const second = await runStep(activityEnv(), deps, { ...input, attempt: 0, stepKey: 'train' });
    assert.equal(second.cached, true);
    assert.equal(second.cacheKey, first.cacheKey);
    assert.deepEqual(second.outputs, first.outputs);
    assert.equal(deps.containers.started.length, 1, 'only the first run started a container');
    // A changed param is another key: the step runs again.
    const third = await runStep(activityEnv(), deps, { ...input, params: { n: 2 } });
    assert.equal(third.cached, false);
    assert.equal(deps.containers.started.length, 2);
  });

  it('keys the cache on runAsRoot too: a step run as root never serves one run as nobody', () => {
    const digest = 'sha256:abc';
    assert.notEqual(cacheKey(stepInput({ runAsRoot: true }), digest), cacheKey(stepInput(), digest));
    assert.equal(cacheKey(stepInput({ runAsRoot: false }), digest), cacheKey(stepInput(), digest));
  });

  it('reports a non-zero exit as a non-retryable StepExitError failure with the exit code and log tail', async () => {
    const deps = memoryDeps(temp.dir);
    deps.containers.script = { lines: ['Traceback', 'ValueError: bad'], exitCode: 3 };
    const err = await runStep(activityEnv(), deps, stepInput()).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'StepExitError');
    assert.equal(err.nonRetryable, true);
    assert.deepEqual(err.details, [{ step: 'train', exitCode: 3, logTail: 'Traceback\nValueError: bad' }]);
    assert.match(err.message, /step "train" exited with code 3/);
    // A failed attempt cleans up before it reports.
    assert.equal(deps.containers.stopped.length, 1);
    assert.equal(deps.staging.removed.length, 1);
  });

  it('lets an unknown image fail non-retryably, and any other error be retried', async () => {
    const deps = memoryDeps(temp.dir);
    const missing = await runStep(activityEnv(), deps, stepInput({ image: 'no/such:image' })).catch((e: unknown) => e);
    assert.ok(missing instanceof ApplicationFailure && missing.nonRetryable && missing.type === 'ImageMissingError');
    deps.containers.run = async () => {
      throw new Error('connect ECONNREFUSED /var/run/docker.sock');
    };
    const outage = await runStep(activityEnv(), deps, stepInput()).catch((e: unknown) => e);
    assert.ok(outage instanceof Error && !(outage instanceof ApplicationFailure), String(outage));
  });

  it('returns the recorded result on a retry that finds a completion record, without running the step again', async () => {
    const deps = memoryDeps(temp.dir);
    const name = containerName(WORKFLOW.workflowId, WORKFLOW.runId, 'train#0');
    const recorded: StepResult = {
      stepKey: 'train',
      cached: false,
      outputs: {},
      metrics: { loss: 0.1 },
      exitCode: 0,
      durationMs: 1234,
      imageDigest: 'sha256:busybox',
      cacheKey: 'k',
      container: name,
    };
    await deps.store.writeIndex(completionRecordKey(name), recorded);
    const result = await runStep(activityEnv(2), deps, stepInput());
    assert.deepEqual(result, recorded);
    assert.equal(deps.containers.started.length, 0);
    // What the crash may have left (the container, the staging) goes after the activity returns.
    await deps.cleanup.drain();
    assert.deepEqual(deps.containers.stopped, [name]);
    assert.deepEqual(deps.staging.removed, [name]);
  });
});
