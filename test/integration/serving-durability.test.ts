import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import Docker from 'dockerode';
import { connectClient } from '../../client/client.js';
import { deploymentDir } from '../../activities/serving/index.js';
import { deployModel, waitForDeployment } from '../../client/serving.js';
import { deploymentStatusQuery, stopUpdate } from '../../common/serving-messages.js';
import { HaproxyManager } from '../../lib/serving/proxy/proxy-manager.js';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { createTestWorker, testConfig, uniqueId } from '../helpers/integration.js';
import { mlflow, predict, registerDigitsModels, servingContainers, steadyTraffic } from '../helpers/serving.js';

const docker = new Docker({ socketPath: testConfig.containers.dockerSocket });

/** Model server containers Docker created for a deployment since `sinceMs`, by version, from Docker's event log. */
async function serversCreated(deploymentId: string, sinceMs: number): Promise<string[]> {
  const stream = (await docker.getEvents({
    since: Math.floor(sinceMs / 1000) - 1,
    until: Math.ceil(Date.now() / 1000) + 1,
    filters: { type: ['container'], event: ['create'], label: [`tidemark.serving=${deploymentId}`] },
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map(
      (l) =>
        (JSON.parse(l) as { Actor: { Attributes: Record<string, string> } }).Actor.Attributes[
          'tidemark.model-version'
        ]!,
    )
    .sort();
}

describe('model serving, durably', function () {
  this.timeout(600_000);

  it('finishes a rollout whose worker was killed mid-way, with no duplicate model server', async () => {
    const model = uniqueId('digits-crash');
    const versions = await registerDigitsModels(model, [{ C: 0.01 }, { C: 1 }]);
    const taskQueue = uniqueId('serving-crash');
    const t0 = Date.now();
    const id = `deployment-${model}`;
    const doomed = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TIDEMARK_TASK_QUEUE: taskQueue, TIDEMARK_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => doomed.on('exit', resolve));
    let tw;
    let client: Client | undefined;
    try {
      client = await connectClient(testConfig);
      const { handle } = await deployModel(client, `${model}/${versions[0]}`, {
        taskQueue,
        options: { reconcileEveryMs: 1000, drainMs: 200 },
      });
      await waitForDeployment(handle, (s) => s.state === 'stable');
      await deployModel(client, `${model}/${versions[1]}`, { taskQueue, canary: [50, 100], dwellMs: 1000 });
      // Kill the worker while the canary's model server starts (its container exists, /ping not yet answered).
      for (let i = 0; i < 200 && (await servingContainers(id)).length < 2; i++) await sleep(100);
      doomed.kill('SIGKILL');
      await exited;
      tw = await createTestWorker({ taskQueue });
      await tw.worker.runUntil(async () => {
        const status = await waitForDeployment(
          handle,
          (s) => s.stable?.version === versions[1] && s.state === 'stable',
        );
        assert.ok(status.decisions.some((d) => d.kind === 'promoted'));
        assert.deepEqual(
          await serversCreated(id, t0),
          [versions[0], versions[1]].sort(),
          'one container per version, ever',
        );
        await handle.executeUpdate(stopUpdate, { args: [] });
      });
      assert.deepEqual(await servingContainers(id), []);
    } finally {
      doomed.kill('SIGKILL');
      await tw?.close();
      await client?.connection.close();
    }
  });

  it('reconciles a proxy that was killed and a model server that was stopped mid-rollout, and the rollout goes on', async () => {
    const model = uniqueId('digits-heal');
    const versions = await registerDigitsModels(model, [{ C: 0.01 }, { C: 1 }]);
    const tw = await createTestWorker();
    const id = `deployment-${model}`;
    try {
      await tw.worker.runUntil(async () => {
        const { handle } = await deployModel(tw.client, `${model}/${versions[0]}`, {
          taskQueue: tw.taskQueue,
          options: { reconcileEveryMs: 1000, drainMs: 200 },
        });
        await waitForDeployment(handle, (s) => s.state === 'stable');
        await deployModel(tw.client, `${model}/${versions[1]}`, {
          taskQueue: tw.taskQueue,
          canary: [50, 100],
          dwellMs: 15_000,
        });
        const mid = await waitForDeployment(handle, (s) => s.state === 'canary');
        const dir = deploymentDir(join(testConfig.state.dir, 'serving'), id);
        const pid = Number(readFileSync(join(dir, 'haproxy.pid'), 'utf8').trim());
        process.kill(pid, 'SIGKILL');
        await docker.getContainer(mid.stable!.server).stop({ t: 1 });
        const healed = await waitForDeployment(handle, (s) =>
          s.decisions.filter((d) => d.kind === 'reconciled').some((d) => /proxy was not running/.test(d.reason!)),
        );
        assert.equal(healed.state, 'canary', 'still at the same step');
        await waitForDeployment(handle, (s) =>
          s.decisions.some((d) => /model server of v1 was stopped: started/.test(d.reason ?? '')),
        );
        const live = await new HaproxyManager().live(dir);
        assert.deepEqual(
          live.map((s) => [s.name, s.weight]).sort(),
          [
            [`v${versions[0]}`, 50],
            [`v${versions[1]}`, 50],
          ],
          'the restarted proxy has the weights of the step',
        );
        const traffic = steadyTraffic(() => healed.endpoint);
        const done = await waitForDeployment(handle, (s) => s.state === 'stable' && s.stable?.version === versions[1]);
        const codes = await traffic.stop();
        assert.ok(codes.filter((c) => c === 200).length > 0);
        assert.deepEqual(await predict(done.endpoint!, 3), [200, 200, 200]);
        assert.equal((await handle.query(deploymentStatusQuery)).weights[versions[1]!], 100);
        assert.equal((await mlflow.getModelVersionByAlias(model, 'champion'))?.version, versions[1]);
        await handle.executeUpdate(stopUpdate, { args: [] });
      });
    } finally {
      await tw.close();
    }
  });
});
