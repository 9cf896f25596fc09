import { strict as assert } from 'node:assert';
import Docker from 'dockerode';
import { deployModel, deploymentHandle, refusal, waitForDeployment } from '../../client/serving.js';
import { deploymentStatusQuery, stopUpdate } from '../../common/serving-messages.js';
import { createTestWorker, testConfig, uniqueId, type TestWorker } from '../helpers/integration.js';
import { launchBrowser, newPage, screenshot, startTestConsole } from '../helpers/browser.js';
import { mlflow, predict, registerDigitsModels, servingContainers, steadyTraffic } from '../helpers/serving.js';

describe('model serving', function () {
  this.timeout(600_000);
  const taskQueue = uniqueId('serving');
  let tw: TestWorker;
  let model: string;
  /** A worker per test on the suite's task queue (a worker runs once); the deployment lives on across tests. */
  async function withWorker(fn: () => Promise<void>): Promise<void> {
    tw = await createTestWorker({ taskQueue });
    try {
      await tw.worker.runUntil(fn);
    } finally {
      await tw.close();
    }
  }
  let versions: string[];
  const workflowId = () => `deployment-${model}`;

  before(async () => {
    model = uniqueId('digits-serve');
    versions = await registerDigitsModels(model, [{ C: 0.001 }, { C: 1 }, { C: 1, broken: true }, 'raw']);
    await mlflow.setModelAlias(model, 'champion', versions[0]!);
  });
  after(async () => {
    await withWorker(async () => {
      await deploymentHandle(tw.client, model).executeUpdate(stopUpdate, { args: [] });
    }).catch(() => undefined);
  });

  it('serves the champion behind its proxy, in a hardened container, and answers predictions', async () => {
    await withWorker(async () => {
      const { handle, accepted } = await deployModel(tw.client, `${model}@champion`, {
        taskQueue,
        options: { dwellMs: 2000, reconcileEveryMs: 2000, drainMs: 500 },
      });
      assert.equal(accepted.version, versions[0]);
      const status = await waitForDeployment(handle, (s) => s.state === 'stable');
      assert.equal(status.stable?.version, versions[0]);
      assert.deepEqual(status.weights, { [versions[0]!]: 100 });
      const codes = await predict(status.endpoint!, 5, 3);
      assert.deepEqual(codes, [200, 200, 200, 200, 200]);
      const res = await fetch(`${status.endpoint}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [new Array(64).fill(0), new Array(64).fill(8)] }),
      });
      const body = (await res.json()) as { predictions: number[] };
      assert.equal(body.predictions.length, 2);
      const [container] = await servingContainers(workflowId());
      const info = await new Docker({ socketPath: testConfig.containers.dockerSocket })
        .getContainer(container!.Id)
        .inspect();
      assert.equal(info.HostConfig.NetworkMode, 'host');
      assert.deepEqual(info.HostConfig.CapDrop, ['ALL']);
      assert.deepEqual(info.HostConfig.SecurityOpt, ['no-new-privileges']);
      assert.equal(info.HostConfig.Privileged, false);
      assert.ok((info.HostConfig.Memory ?? 0) > 0 && (info.HostConfig.NanoCpus ?? 0) > 0, 'resource limits');
      assert.ok(
        info.Mounts.every((m) => !m.RW),
        'the model folder is mounted read-only',
      );
    });
  });

  it('refuses a bad deploy request with the reason, and changes nothing', async () => {
    await withWorker(async () => {
      const handle = deploymentHandle(tw.client, model);
      const before = await handle.query(deploymentStatusQuery);
      const reasons: string[] = [];
      for (const ref of [
        `${model}@nosuchalias`,
        `${model}/999`,
        `${model}/${versions[3]}`,
        `${model}@champion`,
        'not a ref',
      ])
        reasons.push(
          await deployModel(tw.client, ref, { taskQueue, workflowId: workflowId() }).then(
            () => 'accepted',
            (err: unknown) => refusal(err),
          ),
        );
      assert.match(reasons[0]!, /has no alias "nosuchalias" \(its aliases: champion \(v1\)\)/);
      assert.match(reasons[1]!, /has no version 999/);
      assert.match(reasons[2]!, /not an MLflow Model \(no MLmodel file/);
      assert.match(reasons[3]!, /already the version served/);
      assert.match(reasons[4]!, /not a model reference/);
      const unknown = uniqueId('no-such-model');
      const refusedUnknown = await deployModel(tw.client, `${unknown}@champion`, { taskQueue }).then(
        () => 'accepted',
        (err: unknown) => refusal(err),
      );
      assert.match(refusedUnknown, new RegExp(`there is no registered model "${unknown}"`));
      await deploymentHandle(tw.client, unknown).terminate('test over');
      const after = await handle.query(deploymentStatusQuery);
      assert.deepEqual(after.decisions, before.decisions);
      assert.equal(after.state, 'stable');
    });
  });

  it('promotes a canary whose gates pass: the alias moves, the old version drains and stops, and MLflow has the decision', async () => {
    await withWorker(async () => {
      const handle = deploymentHandle(tw.client, model);
      let endpoint: string | undefined = (await handle.query(deploymentStatusQuery)).endpoint;
      const traffic = steadyTraffic(() => endpoint);
      const { accepted } = await deployModel(tw.client, `${model}/${versions[1]}`, {
        taskQueue,
        canary: [50, 100],
        dwellMs: 3000,
      });
      assert.deepEqual(accepted.steps, [50, 100]);
      const mid = await waitForDeployment(handle, (s) => s.state === 'canary');
      assert.equal(mid.rollout?.version, versions[1]);
      const status = await waitForDeployment(handle, (s) => s.state === 'stable' && s.stable?.version === versions[1]);
      const codes = await traffic.stop();
      endpoint = undefined;
      assert.ok(
        codes.length > 20 && codes.every((c) => c === 200),
        `no request failed during the rollout (${codes.filter((c) => c !== 200).length} of ${codes.length} did)`,
      );
      assert.ok(status.decisions.some((d) => d.kind === 'promoted' && d.version === versions[1]));
      assert.equal((await mlflow.getModelVersionByAlias(model, 'champion'))?.version, versions[1]);
      let names: (string | undefined)[] = [];
      for (let i = 0; i < 60; i++) {
        names = (await servingContainers(workflowId())).map((c) => c.Labels['tidemark.model-version']);
        if (names.length === 1) break;
        await new Promise((r) => setTimeout(r, 500)); // the old version drains, then stops
      }
      assert.deepEqual(names, [versions[1]], 'only the new version runs');
      const tags = (await mlflow.getModelVersion(model, versions[1]!))?.tags ?? [];
      assert.equal(tags.find((t) => t.key === 'tidemark.serving.decision')?.value, 'promoted');
      const runId = tags.find((t) => t.key === 'tidemark.serving.run_id')!.value;
      const run = await mlflow.getRun(runId);
      assert.ok(
        (run.data.metrics ?? []).some((m) => m.key === 'canary_requests' && m.value > 0),
        'the gate readings are in the run',
      );
    });
  });

  it('rolls a failing version back automatically, with the reason, while the stable version keeps answering', async () => {
    await withWorker(async () => {
      const handle = deploymentHandle(tw.client, model);
      const endpoint = (await handle.query(deploymentStatusQuery)).endpoint!;
      const traffic = steadyTraffic(() => endpoint);
      await deployModel(tw.client, `${model}/${versions[2]}`, {
        taskQueue,
        canary: [20, 100],
        dwellMs: 3000,
      });
      const status = await waitForDeployment(handle, (s) =>
        s.decisions.some((d) => d.kind === 'rolled-back' && d.version === versions[2]),
      );
      await waitForDeployment(handle, (s) => s.state === 'stable');
      await traffic.stop();
      const decision = status.decisions.find((d) => d.kind === 'rolled-back')!;
      assert.match(decision.reason!, /gates failed at 20%: error rate/);
      assert.equal((await mlflow.getModelVersionByAlias(model, 'champion'))?.version, versions[1], 'the alias stays');
      const after = await predict(status.endpoint!, 10);
      assert.deepEqual(new Set(after), new Set([200]), 'all traffic is back on the stable version');
      assert.deepEqual(
        (await servingContainers(workflowId())).map((c) => c.Labels['tidemark.model-version']),
        [versions[1]],
      );
    });
  });

  it("shows the deployment on the console's Serving page: its stable version at 100% and the rollback with its reason", async () => {
    const [browser, web] = await Promise.all([launchBrowser(), startTestConsole()]);
    const errors: string[] = [];
    try {
      await withWorker(async () => {
        const page = await newPage(browser, errors);
        await page.goto(`${web.url}/serving`);
        const card = page.getByTestId('deployment').filter({ hasText: model });
        await card.getByTestId('versions').waitFor();
        const versionsShown = await card.getByTestId('versions').locator('tbody tr').allInnerTexts();
        assert.deepEqual(
          versionsShown.map((t) => t.split('\t').slice(0, 3)),
          [[`v${versions[1]}`, 'stable', '100%']],
        );
        assert.match(
          await card.getByTestId('decisions').innerText(),
          /rolled-back v\d+( at \d+%)?: gates failed at 20%/,
        );
        await screenshot(page, 'serving', true);
      });
      assert.deepEqual(errors, [], 'the page threw no errors');
    } finally {
      await browser.close();
      await web.close();
    }
  });
});
