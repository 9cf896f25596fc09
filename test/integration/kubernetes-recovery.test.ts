import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { statusQuery } from '../../common/messages.js';
import { ENV } from '../../common/env.js';
import { completionRecordKey } from '../../activities/steps/sweep-finished-steps.js';
import { containerLabels, containerName } from '../../lib/containers/container-name.js';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { uniqueId, type TestWorker } from '../helpers/integration.js';
import {
  createKubernetesTestWorker,
  kubernetesTestConfig,
  watchCreated,
  workflowObjects,
} from '../helpers/kubernetes.js';

const BUSYBOX = 'tidemark/busybox:latest';

/** Until `probe` holds (polling), or fail with `what`. */
async function until(what: string, probe: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

describe('Kubernetes steps through crashes, cancellation and restarts', function () {
  this.timeout(300_000);

  it('recovers from a worker killed mid-step: the pipeline completes, one Job and one pod ever existed for the attempt, outputs intact', async () => {
    const config = await kubernetesTestConfig();
    const k = config.containers.kubernetes;
    const taskQueue = uniqueId('kube-crash');
    // The first worker is a separate process, so it can die the hard way.
    const doomed = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        [ENV.taskQueue]: taskQueue,
        [ENV.containerBackend]: 'kubernetes',
        [ENV.kubeconfig]: k.kubeconfig,
        [ENV.kubeNodeContainerd]: k.nodeContainerd,
        [ENV.kubeHostNetwork]: 'true',
        TIDEMARK_LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    const doomedExit = new Promise((resolve) => doomed.on('exit', resolve));
    const tw = await createKubernetesTestWorker({ taskQueue });
    const workflowId = uniqueId('kube-crash');
    const created = await watchCreated(workflowId);
    try {
      const spec = {
        name: uniqueId('crashy'),
        steps: [
          {
            name: 'slow',
            image: BUSYBOX,
            args: ['sh', '-c', 'echo started; sleep 20; seq 1 1000 > /outputs/numbers.txt; echo done'],
            outputs: { numbers: 'numbers.txt' },
            cache: { enabled: false },
          },
        ],
      };
      const handle = await startPipeline(tw.client, spec, {
        baseDir: tmpdir(),
        store: tw.plugin.deps.store,
        taskQueue,
        workflowId,
      });
      await until(
        'the step pod runs under the first worker',
        async () => (await workflowObjects(workflowId)).pods.length === 1,
      );
      await sleep(3000);
      doomed.kill('SIGKILL');
      await doomedExit;

      // A new worker picks the step up after the heartbeat timeout and reattaches to the Job.
      const result = await tw.worker.runUntil(handle.result());
      const slow = result.steps.find((s) => s.key === 'slow')!;
      assert.equal(slow.state, 'succeeded');
      assert.equal(created.jobs.size, 1, 'exactly one Job was created for the attempt');
      assert.equal(created.pods.size, 1, 'exactly one pod ran for the attempt');
      const numbers = await tw.plugin.deps.store.getBytes(slow.outputs!.numbers as never);
      assert.equal(numbers.toString(), `${Array.from({ length: 1000 }, (_, i) => i + 1).join('\n')}\n`);
      const log = (await tw.plugin.deps.store.getBytes(slow.log!)).toString();
      assert.match(log, /started\s+done/, 'the log has the whole run, from before the crash too');
      await tw.plugin.deps.cleanup.drain();
      assert.deepEqual(await workflowObjects(workflowId), { jobs: [], pods: [] });
    } finally {
      created.stop();
      doomed.kill('SIGKILL');
      await tw.close();
    }
  });

  describe('with a worker', () => {
    let tw: TestWorker;
    beforeEach(async () => {
      tw = await createKubernetesTestWorker();
    });
    afterEach(async () => {
      await tw?.close();
    });

    it('removes the Job and its pod when a running pipeline is cancelled', async () => {
      const spec = {
        name: uniqueId('kube-cancel'),
        steps: [{ name: 'long', image: BUSYBOX, args: ['sleep', '300'], cache: { enabled: false } }],
      };
      const workflowId = uniqueId('kube-cancel');
      const handle = await startPipeline(tw.client, spec, {
        baseDir: tmpdir(),
        store: tw.plugin.deps.store,
        taskQueue: tw.taskQueue,
        workflowId,
      });
      await tw.worker.runUntil(async () => {
        await until('the step pod runs', async () => {
          const { pods } = await workflowObjects(workflowId);
          return pods.length === 1;
        });
        await handle.cancel();
        await handle.result().catch(() => undefined);
        assert.equal((await handle.query(statusQuery)).state, 'cancelled');
      });
      assert.deepEqual(await workflowObjects(workflowId), { jobs: [], pods: [] });
    });

    it('removes, at its start, finished Jobs whose result is recorded, and keeps those a retry still needs', async () => {
      const { containers, staging, store } = tw.plugin.deps;
      const workflowId = uniqueId('kube-swept');
      const left = async (stepKey: string) => {
        const name = containerName(workflowId, 'run', stepKey);
        await staging.prepare(name, {}, {}, { outputs: {}, timeoutMs: 60_000 });
        await containers.run(
          staging.attach(name, {
            name,
            image: BUSYBOX,
            args: ['true'],
            env: {},
            mounts: [],
            network: 'none',
            labels: containerLabels(workflowId, 'run', stepKey),
          }),
        );
        assert.equal(await containers.attach(name, () => undefined), 0);
        return name;
      };
      const recorded = await left('recorded');
      const unrecorded = await left('unrecorded');
      await store.writeIndex(completionRecordKey(recorded), { stepKey: 'recorded', exitCode: 0 });
      await until(
        'both Jobs are finished',
        async () => (await containers.list({ 'tidemark.workflow-id': workflowId }, { exitedOnly: true })).length === 2,
      );
      const list = () => containers.list({ 'tidemark.workflow-id': workflowId });
      await tw.worker.runUntil(async () =>
        until('the sweep removed the recorded Job', async () => (await list()).length === 1),
      );
      assert.deepEqual(await list(), [unrecorded]);
      await containers.stop(unrecorded);
      await staging.remove(unrecorded);
    });
  });
});
