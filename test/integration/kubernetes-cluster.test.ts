import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { BatchV1Api, CoreV1Api, KubeConfig, type V1Job } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { readPid } from '../../scripts/stack/daemon.js';
import { clusterImages } from '../../scripts/stack/kubernetes/cluster-images.js';
import { clusterLayout } from '../../scripts/stack/kubernetes/cluster-layout.js';
import { COMPONENTS } from '../../scripts/stack/kubernetes/components.js';
import { kubePaths } from '../../scripts/stack/kubernetes/kube-tools.js';
import { leftoverProcesses, mountsBelow } from '../../scripts/stack/kubernetes/node-cleanup.js';
import { KubernetesCluster } from '../../scripts/stack/services/kubernetes.js';
import { getKubernetesStack } from './hooks.js';
import { uniqueId } from '../helpers/integration.js';

/** Live processes whose command line mentions `needle`. */
function processesMentioning(needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (cmdline.includes(needle)) found.push(`${entry} ${cmdline}`);
    } catch {
      /* gone */
    }
  }
  return found;
}

describe('the embedded Kubernetes cluster', function () {
  this.timeout(300_000);

  it('comes up with a Ready node and runs a Job of an imported image on the host network to completion', async () => {
    const stack = await getKubernetesStack();
    const layout = clusterLayout(stack.paths);
    const kc = new KubeConfig();
    kc.loadFromFile(layout.adminKubeconfig);
    const batch = kc.makeApiClient(BatchV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const node = await core.readNode({ name: layout.nodeName });
    assert.ok(node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    assert.match(node.status?.nodeInfo?.kubeletVersion ?? '', /^v1\.34\.4/);

    const busybox = clusterImages().all.find((ref) => ref.startsWith('tidemark/busybox:'))!;
    const name = uniqueId('cluster-smoke');
    const job: V1Job = {
      metadata: { name },
      spec: {
        backoffLimit: 0,
        ttlSecondsAfterFinished: 60,
        template: {
          spec: {
            hostNetwork: true,
            restartPolicy: 'Never',
            containers: [
              {
                name: 'c',
                image: busybox,
                imagePullPolicy: 'IfNotPresent',
                // On the host network the pod reaches the stack's MinIO on loopback.
                command: [
                  'sh',
                  '-c',
                  `echo ran on the node; wget -q -O /dev/null ${stack.config.minio.endpoint}/minio/health/live && echo minio answers`,
                ],
              },
            ],
          },
        },
      },
    };
    await batch.createNamespacedJob({ namespace: 'default', body: job });
    let done: V1Job | undefined;
    for (let i = 0; i < 120 && !done; i++) {
      const j = await batch.readNamespacedJob({ name, namespace: 'default' });
      if (j.status?.conditions?.some((c) => c.status === 'True' && (c.type === 'Complete' || c.type === 'Failed')))
        done = j;
      else await sleep(500);
    }
    assert.ok(
      done?.status?.conditions?.some((c) => c.type === 'Complete'),
      JSON.stringify(done?.status),
    );
    const [pod] = (
      await core.listNamespacedPod({ namespace: 'default', labelSelector: `batch.kubernetes.io/job-name=${name}` })
    ).items;
    assert.equal(pod?.spec?.hostNetwork, true);
    const log = await core.readNamespacedPodLog({ name: pod!.metadata!.name!, namespace: 'default' });
    assert.equal(log.trim(), 'ran on the node\nminio answers');
    await batch.deleteNamespacedJob({ name, namespace: 'default', propagationPolicy: 'Background' });
  });

  it('stops (as `npm run stack -- --stop` does) with no process, mount or cgroup of it left, even with a pod running', async () => {
    const stack = await getKubernetesStack();
    const layout = clusterLayout(stack.paths);
    const kc = new KubeConfig();
    kc.loadFromFile(layout.adminKubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const busybox = clusterImages().all.find((ref) => ref.startsWith('tidemark/busybox:'))!;
    const name = uniqueId('sleeper');
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name },
        spec: {
          hostNetwork: true,
          restartPolicy: 'Never',
          containers: [{ name: 'c', image: busybox, imagePullPolicy: 'IfNotPresent', command: ['sleep', '600'] }],
        },
      },
    });
    for (let i = 0; i < 120; i++) {
      const p = await core.readNamespacedPod({ name, namespace: 'default' });
      if (p.status?.phase === 'Running') break;
      await sleep(500);
    }
    assert.ok(leftoverProcesses(layout.containerdSocket).length > 0, 'the running pod has a shim and processes to end');
    assert.ok(mountsBelow([layout.root]).length > 0, 'the node has mounts to undo');

    const stopped = await new KubernetesCluster(stack.config, stack.paths).stop();
    assert.equal(stopped, true);
    for (const component of COMPONENTS) assert.equal(readPid(stack.paths.runDir, component), undefined, component);
    assert.deepEqual(leftoverProcesses(layout.containerdSocket), []);
    assert.deepEqual(processesMentioning(kubePaths(stack.paths).binDir), []);
    assert.deepEqual(processesMentioning(layout.root), []);
    assert.deepEqual(mountsBelow([layout.root]), []);
    const cgroups = readdirSync('/sys/fs/cgroup').filter((h) => existsSync(`/sys/fs/cgroup/${h}/kubepods`));
    assert.deepEqual(cgroups, [], 'no kubepods cgroup is left');
    assert.equal(await new KubernetesCluster(stack.config, stack.paths).stop(), false, 'a second stop finds nothing');

    // The pod object outlives the node in etcd: start the cluster again and remove it.
    await getKubernetesStack();
    await core.deleteNamespacedPod({ name, namespace: 'default', gracePeriodSeconds: 0 });
  });
});
