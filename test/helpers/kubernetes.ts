import { BatchV1Api, CoreV1Api, KubeConfig, Watch, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type { TidemarkConfig } from '../../common/config.js';
import { clusterLayout, embeddedClusterSettings } from '../../scripts/stack/kubernetes/cluster-layout.js';
import { labelValue } from '../../lib/kubernetes/job-name.js';
import { getKubernetesStack } from '../integration/hooks.js';
import { createTestWorker, testConfig, type TestWorker } from './integration.js';

/** The test config with the Kubernetes backend on the embedded cluster (started when it is not running). */
export async function kubernetesTestConfig(): Promise<TidemarkConfig> {
  const stack = await getKubernetesStack();
  return {
    ...testConfig,
    containers: {
      ...testConfig.containers,
      backend: 'kubernetes',
      kubernetes: { ...testConfig.containers.kubernetes, ...embeddedClusterSettings(clusterLayout(stack.paths)) },
    },
  };
}

/** A test worker whose steps run as Jobs on the embedded cluster. */
export async function createKubernetesTestWorker(
  opts: Parameters<typeof createTestWorker>[0] = {},
): Promise<TestWorker> {
  return createTestWorker({ ...opts, plugin: { ...opts.plugin, config: await kubernetesTestConfig() } });
}

/** The Kubernetes API of the embedded cluster, as the tests look at it. */
export async function clusterApi(): Promise<{ kc: KubeConfig; batch: BatchV1Api; core: CoreV1Api; namespace: string }> {
  const config = await kubernetesTestConfig();
  const kc = new KubeConfig();
  kc.loadFromFile(config.containers.kubernetes.kubeconfig!);
  return {
    kc,
    batch: kc.makeApiClient(BatchV1Api),
    core: kc.makeApiClient(CoreV1Api),
    namespace: config.containers.kubeNamespace,
  };
}

/** A Job seen by watchCreated: its uid, and the workflow and step it ran for (from its annotations). */
export interface SeenJob {
  uid: string;
  workflowId?: string;
  step?: string;
}

/**
 * Watches the Jobs and pods of one workflow (or of every Tidemark workflow) from now on and
 * collects each one that was ever created: a watch sees an object even if it is deleted before
 * anyone could list it.
 */
export async function watchCreated(
  workflowId: string | undefined,
): Promise<{ jobs: Map<string, SeenJob>; pods: Set<string>; stop(): void }> {
  const { kc, namespace } = await clusterApi();
  const labelSelector = workflowId ? `tidemark.workflow-id=${labelValue(workflowId)}` : 'tidemark.managed=true';
  const jobs = new Map<string, SeenJob>();
  const pods = new Set<string>();
  const watch = new Watch(kc);
  const aborts = await Promise.all([
    watch.watch(
      `/apis/batch/v1/namespaces/${namespace}/jobs`,
      { labelSelector },
      (_t, job: V1Job) => {
        const a = job.metadata?.annotations ?? {};
        jobs.set(job.metadata!.uid!, {
          uid: job.metadata!.uid!,
          workflowId: a['tidemark.workflow-id'],
          step: a['tidemark.step'],
        });
      },
      () => undefined,
    ),
    watch.watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector },
      (_t, pod: V1Pod) => pods.add(pod.metadata!.uid!),
      () => undefined,
    ),
  ]);
  return { jobs, pods, stop: () => aborts.forEach((a) => a.abort()) };
}

/** The Jobs and pods of one workflow that exist now. */
export async function workflowObjects(workflowId: string): Promise<{ jobs: string[]; pods: string[] }> {
  const { batch, core, namespace } = await clusterApi();
  const labelSelector = `tidemark.workflow-id=${labelValue(workflowId)}`;
  const [jobs, pods] = await Promise.all([
    batch.listNamespacedJob({ namespace, labelSelector }),
    core.listNamespacedPod({ namespace, labelSelector }),
  ]);
  return { jobs: jobs.items.map((j) => j.metadata!.name!), pods: pods.items.map((p) => p.metadata!.name!) };
}
