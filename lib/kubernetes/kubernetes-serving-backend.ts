import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import type { ArtifactRef } from '../../common/artifact.js';
import type { TidemarkConfig } from '../../common/config.js';
import { assumeRole } from '../artifacts/scoped-credentials.js';
import type { ModelServerSpec, ModelServerState, ServingBackend } from '../serving/serving-backend.js';
import { ImageDelivery, imageRoute } from './image-delivery.js';
import { labelValue, stepJobName } from './job-name.js';
import { modelServerManifests, SERVER_LABEL } from './model-server-manifest.js';
import { stepIoImage } from './step-io-image.js';

const isCode = (err: unknown, code: number) => err instanceof ApiException && err.code === code;
const orUndefined = (err: unknown) => {
  if (isCode(err, 404)) return undefined;
  throw err;
};

/** The annotation with the server's own name (its Kubernetes name is a DNS-1123 form of it). */
const SERVER_ANNOTATION = 'tidemark.server-name';

/** Waiting reasons of a container that will not start by itself. */
const STUCK = new Set([
  'CrashLoopBackOff',
  'ErrImageNeverPull',
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

/** How long the staging credentials in a pod spec stay valid (MinIO's most): a pod started later gets fresh ones from `start`. */
const STAGING_CREDENTIALS_SECONDS = 43_200;

/**
 * Model servers as Kubernetes Deployments, one per served version, each with a Service (see
 * modelServerManifests). The serving image is built by the worker's Docker like a step's image and
 * copied into the node or pushed to TIDEMARK_REGISTRY; the model folder is stored content-addressed
 * in MinIO by `stage`, and the pod's init container downloads it with read-only credentials for
 * content-addressed objects. On the embedded cluster (host network) the proxy reaches a server on
 * 127.0.0.1:<port>; on a real cluster, through its Service's DNS name, so the worker and its
 * proxies run inside the cluster there (docs/serving.md).
 */
export class KubernetesServingBackend implements ServingBackend {
  private readonly images: ImageDelivery;
  private readonly pullPolicy: 'IfNotPresent' | 'Never';
  private api?: { apps: AppsV1Api; core: CoreV1Api };

  constructor(
    private readonly config: TidemarkConfig,
    /** Stores the MLflow Model folder at `source` content-addressed and returns its ref. */
    private readonly stage: (source: string) => Promise<ArtifactRef>,
  ) {
    const route = imageRoute(config);
    this.images = new ImageDelivery(new Docker({ socketPath: config.containers.dockerSocket }), route);
    this.pullPolicy = route.to === 'node' ? 'Never' : 'IfNotPresent';
  }

  private get namespace(): string {
    return this.config.containers.kubeNamespace;
  }

  private clients(): { apps: AppsV1Api; core: CoreV1Api } {
    if (!this.api) {
      const kc = new KubeConfig();
      const file = this.config.containers.kubernetes.kubeconfig;
      if (file) kc.loadFromFile(file);
      else kc.loadFromDefault();
      this.api = { apps: kc.makeApiClient(AppsV1Api), core: kc.makeApiClient(CoreV1Api) };
    }
    return this.api;
  }

  private deployment(name: string): Promise<V1Deployment | undefined> {
    return this.clients()
      .apps.readNamespacedDeployment({ name: stepJobName(name), namespace: this.namespace })
      .catch(orUndefined);
  }

  private async pods(name: string): Promise<V1Pod[]> {
    const labelSelector = `${SERVER_LABEL}=${labelValue(name)}`;
    return (await this.clients().core.listNamespacedPod({ namespace: this.namespace, labelSelector })).items;
  }

  /** The Deployment and Service of a server, with fresh staging credentials in the pod's spec. */
  private async manifests(spec: ModelServerSpec) {
    const [image, io, model] = await Promise.all([
      this.images.deliver(spec.image),
      this.images.deliver(stepIoImage()),
      this.stage(spec.source),
    ]);
    const bucket = this.config.minio.bucket;
    // Read-only, content-addressed objects only: every object's key is its hash, and the helper verifies it.
    const creds = await assumeRole(
      this.config.minio,
      [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${bucket}/cas/*`] }],
      STAGING_CREDENTIALS_SECONDS,
    );
    const ioSpec = JSON.stringify({
      endpoint: this.config.containers.kubernetes.s3Endpoint ?? this.config.minio.endpoint,
      accessKey: creds.accessKeyId,
      secretKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
      bucket,
      inputs: [{ path: 'model', ref: model }],
      params: '{}',
      outputs: {},
      // Required by the helper's spec; only `run` writes a result, and a model server's pod never runs it.
      resultKey: `kube-serving/${stepJobName(spec.name)}.json`,
    });
    const labels = Object.fromEntries(Object.entries(spec.labels).map(([k, v]) => [k, labelValue(v)]));
    return modelServerManifests({
      name: stepJobName(spec.name),
      namespace: this.namespace,
      labels: { ...labels, [SERVER_LABEL]: labelValue(spec.name) },
      annotations: { ...spec.labels, [SERVER_ANNOTATION]: spec.name },
      image: image.ref,
      io: { image: io.ref, spec: ioSpec },
      port: spec.port,
      workers: spec.workers,
      cpus: spec.cpus,
      memoryMiB: spec.memoryMiB,
      hostNetwork: this.config.containers.kubernetes.hostNetwork,
      pullPolicy: this.pullPolicy,
      runAsUser: Number(this.config.steps.user.split(':')[0]) || 65534,
    });
  }

  async start(spec: ModelServerSpec): Promise<{ reattached: boolean }> {
    const { apps, core } = this.clients();
    const existing = await this.deployment(spec.name);
    if (existing) {
      // Kubernetes restarts a crashed server itself; a pod stuck (its staging credentials
      // expired, its image gone) is replaced by a new template, with fresh credentials.
      if (!(await this.state(spec.name)).running) {
        const { deployment } = await this.manifests(spec);
        deployment.metadata!.resourceVersion = existing.metadata?.resourceVersion;
        await apps.replaceNamespacedDeployment({
          name: deployment.metadata!.name!,
          namespace: this.namespace,
          body: deployment,
        });
      }
      return { reattached: true };
    }
    const { deployment, service } = await this.manifests(spec);
    await core.createNamespacedService({ namespace: this.namespace, body: service }).catch((err: unknown) => {
      if (!isCode(err, 409)) throw err;
    });
    try {
      await apps.createNamespacedDeployment({ namespace: this.namespace, body: deployment });
      return { reattached: false };
    } catch (err) {
      if (isCode(err, 409)) return { reattached: true }; // created by a concurrent attempt
      throw err;
    }
  }

  async state(name: string): Promise<ModelServerState> {
    if (!(await this.deployment(name))) return { exists: false, running: false };
    for (const pod of await this.pods(name)) {
      const problem = podProblem(pod);
      if (!problem) continue;
      const log = await this.clients()
        .core.readNamespacedPodLog({
          name: pod.metadata!.name!,
          namespace: this.namespace,
          container: problem.container,
          tailLines: 30,
          previous: problem.previous,
        })
        .catch(() => '');
      return {
        exists: true,
        running: false,
        logTail: [problem.message, String(log).trimEnd()].filter(Boolean).join('\n'),
      };
    }
    // Scheduled, starting or serving: the caller's /ping says when it answers.
    return { exists: true, running: true };
  }

  address(spec: Pick<ModelServerSpec, 'name' | 'port'>): string {
    if (this.config.containers.kubernetes.hostNetwork) return `http://127.0.0.1:${spec.port}`;
    return `http://${stepJobName(spec.name)}.${this.namespace}.svc:${spec.port}`;
  }

  /** Deletes the Deployment (its pod first) and the Service, and waits until the pod is gone: its port is free then. */
  async stop(name: string): Promise<void> {
    const { apps, core } = this.clients();
    const k8sName = stepJobName(name);
    await apps
      .deleteNamespacedDeployment({ name: k8sName, namespace: this.namespace, propagationPolicy: 'Foreground' })
      .catch(orUndefined);
    await core.deleteNamespacedService({ name: k8sName, namespace: this.namespace }).catch(orUndefined);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && ((await this.deployment(name)) || (await this.pods(name)).length > 0))
      await sleep(200);
  }

  async list(labels: Record<string, string>): Promise<string[]> {
    const labelSelector = Object.entries(labels)
      .map(([k, v]) => `${k}=${labelValue(v)}`)
      .join(',');
    const { items } = await this.clients().apps.listNamespacedDeployment({ namespace: this.namespace, labelSelector });
    return items.map((d) => d.metadata?.annotations?.[SERVER_ANNOTATION] ?? d.metadata!.name!);
  }
}

/** Why a model server's pod cannot serve, and which container's log says more; undefined while it is fine or starting. */
export function podProblem(pod: V1Pod): { message: string; container: string; previous: boolean } | undefined {
  const status = pod.status;
  if (status?.phase === 'Failed')
    return {
      message: `pod ${pod.metadata?.name} failed: ${status.reason ?? ''} ${status.message ?? ''}`.trim(),
      container: 'server',
      previous: false,
    };
  const unschedulable = status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
  if (unschedulable)
    return {
      message: `no node can run the model server: ${unschedulable.message ?? ''}`.trim(),
      container: 'server',
      previous: false,
    };
  for (const [kind, list] of [
    ['stage-model', status?.initContainerStatuses],
    ['server', status?.containerStatuses],
  ] as const) {
    for (const c of list ?? []) {
      const ended = c.state?.terminated ?? c.lastState?.terminated;
      const initFailed = kind === 'stage-model' && ended && ended.exitCode !== 0;
      const serverEnded = kind === 'server' && (c.state?.terminated || (c.restartCount > 0 && c.lastState?.terminated));
      if (initFailed || serverEnded)
        return {
          message:
            kind === 'stage-model'
              ? `staging the model into the pod failed (exit ${ended!.exitCode})`
              : `the model server exited (code ${ended?.exitCode ?? '?'}${ended?.reason ? `, ${ended.reason}` : ''})`,
          container: kind,
          previous: !c.state?.terminated,
        };
      const waiting = c.state?.waiting?.reason;
      if (waiting && STUCK.has(waiting))
        return {
          message: `${kind}: ${waiting}: ${c.state?.waiting?.message ?? ''}`.trim(),
          container: kind,
          previous: c.restartCount > 0,
        };
    }
  }
  return undefined;
}
