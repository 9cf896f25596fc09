import { strict as assert } from 'node:assert';
import { AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { deployModel, deploymentHandle, waitForDeployment } from '../../client/serving.js';
import { deploymentStatusQuery, stopUpdate } from '../../common/serving-messages.js';
import { labelValue } from '../../lib/kubernetes/job-name.js';
import { createTestWorker, uniqueId, type TestWorker } from '../helpers/integration.js';
import { clusterApi, kubernetesTestConfig } from '../helpers/kubernetes.js';
import { mlflow, predict, registerDigitsModels, steadyTraffic } from '../helpers/serving.js';

describe('model serving on Kubernetes', function () {
  this.timeout(600_000);
  const taskQueue = uniqueId('kube-serving');
  let model: string;
  let versions: string[];
  const workflowId = () => `deployment-${model}`;

  async function withWorker(fn: (tw: TestWorker) => Promise<void>): Promise<void> {
    const tw = await createTestWorker({ taskQueue, plugin: { config: await kubernetesTestConfig() } });
    try {
      await tw.worker.runUntil(() => fn(tw));
    } finally {
      await tw.close();
    }
  }

  /** The deployment's model servers as the cluster has them: Deployments labelled with it, and their Services. */
  async function servers(): Promise<{ deployments: V1Deployment[]; services: string[] }> {
    const { kc, core, namespace } = await clusterApi();
    const labelSelector = `tidemark.serving=${labelValue(workflowId())}`;
    const { items } = await kc.makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace, labelSelector });
    const services = (await core.listNamespacedService({ namespace, labelSelector })).items.map(
      (s) => s.metadata!.name!,
    );
    return { deployments: items, services };
  }

  before(async () => {
    model = uniqueId('digits-kserve');
    versions = await registerDigitsModels(model, [{ C: 0.001 }, { C: 1 }]);
    await mlflow.setModelAlias(model, 'champion', versions[0]!);
  });

  it('serves the champion from a hardened Deployment and Service, rolls a better version out by canary, and stops leaving nothing', async () => {
    await withWorker(async (tw) => {
      const { handle } = await deployModel(tw.client, `${model}@champion`, {
        taskQueue,
        options: { dwellMs: 2000, reconcileEveryMs: 2000, drainMs: 500 },
      });
      const status = await waitForDeployment(handle, (s) => s.state === 'stable');
      assert.equal(status.stable?.version, versions[0]);
      assert.deepEqual(await predict(status.endpoint!, 5, 3), [200, 200, 200, 200, 200]);

      const { deployments, services } = await servers();
      assert.equal(deployments.length, 1);
      const d = deployments[0]!;
      assert.deepEqual(services, [d.metadata!.name], 'a Service per version, named as its Deployment');
      assert.equal(d.metadata?.labels?.['tidemark.model-version'], versions[0]);
      assert.equal(d.status?.readyReplicas, 1, 'the readiness probe passes');
      const pod = d.spec!.template.spec!;
      assert.equal(pod.hostNetwork, true, 'the embedded cluster: host network, loopback only');
      assert.equal(pod.automountServiceAccountToken, false);
      assert.equal(pod.securityContext?.runAsNonRoot, true);
      const server = pod.containers[0]!;
      assert.equal(server.securityContext?.readOnlyRootFilesystem, true);
      assert.equal(server.securityContext?.allowPrivilegeEscalation, false);
      assert.deepEqual(server.securityContext?.capabilities?.drop, ['ALL']);
      assert.ok(server.resources?.limits?.cpu && server.resources.limits.memory, 'resource limits');
      assert.ok(server.image?.startsWith('tidemark/serve:') && !server.image.endsWith(':latest'), server.image);
      assert.ok(
        !JSON.stringify(server.env ?? []).includes('AWS') &&
          server.volumeMounts?.find((m) => m.mountPath === '/model')?.readOnly,
        'the server gets the model read-only and no credentials',
      );

      let endpoint: string | undefined = status.endpoint;
      const traffic = steadyTraffic(() => endpoint);
      await deployModel(tw.client, `${model}/${versions[1]}`, { taskQueue, canary: [50, 100], dwellMs: 3000 });
      const promoted = await waitForDeployment(
        handle,
        (s) => s.state === 'stable' && s.stable?.version === versions[1],
      );
      const codes = await traffic.stop();
      endpoint = undefined;
      assert.ok(
        codes.length > 20 && codes.every((c) => c === 200),
        `no request failed during the rollout (${codes.filter((c) => c !== 200).length} of ${codes.length} did)`,
      );
      assert.ok(promoted.decisions.some((x) => x.kind === 'promoted' && x.version === versions[1]));
      let left: (string | undefined)[] = [];
      for (let i = 0; i < 120; i++) {
        left = (await servers()).deployments.map((x) => x.metadata?.labels?.['tidemark.model-version']);
        if (left.length === 1) break;
        await new Promise((r) => setTimeout(r, 500)); // the old version drains, then its Deployment goes
      }
      assert.deepEqual(left, [versions[1]], 'only the new version runs');

      await handle.executeUpdate(stopUpdate, { args: [] });
      const after = await servers();
      assert.deepEqual(
        [after.deployments.length, after.services.length],
        [0, 0],
        'stop removes Deployments and Services',
      );
      const { core, namespace } = await clusterApi();
      const pods = await core.listNamespacedPod({
        namespace,
        labelSelector: `tidemark.serving=${labelValue(workflowId())}`,
      });
      assert.equal(pods.items.length, 0, 'and their pods');
    });
  });

  after(async () => {
    await withWorker(async (tw) => {
      const handle = deploymentHandle(tw.client, model);
      if ((await handle.query(deploymentStatusQuery).catch(() => undefined))?.state !== 'stopped')
        await handle.executeUpdate(stopUpdate, { args: [] });
    }).catch(() => undefined);
  });
});
