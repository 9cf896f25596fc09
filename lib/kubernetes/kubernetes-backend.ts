import Docker from 'dockerode';
import type { TidemarkConfig } from '../../common/config.js';
import type {
  BuildResult,
  BuildSpec,
  ContainerBackend,
  ContainerSpec,
  StartedContainer,
} from '../containers/container-backend.js';
import { DockerBackend } from '../containers/docker-backend.js';
import { classifyStepFailure, type FailureContext } from './classify-failure.js';
import { ImageDelivery, imageRoute, type ImageRoute } from './image-delivery.js';
import { stepJobManifest } from './job-manifest.js';
import { labelValue, stepJobName } from './job-name.js';
import { StepJobs } from './step-jobs.js';
import { stepIoImage } from './step-io-image.js';

/** The annotation that holds a Job's container name (its Job name is a DNS-1123 form of it). */
const CONTAINER_ANNOTATION = 'tidemark.container';

/**
 * Step containers as Kubernetes Jobs (one Job per attempt, never retried by Kubernetes), with the
 * step's bytes moved inside the pod by KubernetesStaging. Images are built by the worker's Docker,
 * as on the Docker backend (the same content tags, so the same cache keys), and then copied into
 * the node (the embedded cluster) or pushed to TIDEMARK_REGISTRY.
 */
export class KubernetesBackend implements ContainerBackend {
  /** What the failure classifier needs to know about each attempt this worker ran or reattached to. */
  private readonly attempts = new Map<string, Omit<FailureContext, 'largestNode'>>();

  private readonly docker: DockerBackend;
  private readonly images: ImageDelivery;
  private readonly route: ImageRoute;
  private connected?: Promise<StepJobs>;

  /** Nothing is read or connected until the first call: the worker builds its backend synchronously. */
  constructor(private readonly config: TidemarkConfig) {
    const docker = new Docker({ socketPath: config.containers.dockerSocket });
    this.route = imageRoute(config);
    this.docker = new DockerBackend(docker);
    this.images = new ImageDelivery(docker, this.route);
  }

  /** The cluster's API, from the configured kubeconfig (or the usual places), connected once. */
  jobs(): Promise<StepJobs> {
    this.connected ??= StepJobs.open({
      kubeconfig: this.config.containers.kubernetes.kubeconfig,
      namespace: this.config.containers.kubeNamespace,
    });
    return this.connected;
  }

  build(spec: BuildSpec, onLine: (line: string) => void): Promise<BuildResult> {
    return this.docker.build(spec, onLine);
  }

  imageDigest(image: string): Promise<string> {
    return this.docker.imageDigest(image);
  }

  async exists(name: string): Promise<boolean> {
    return (await (await this.jobs()).job(stepJobName(name))) !== undefined;
  }

  async run(spec: ContainerSpec): Promise<StartedContainer> {
    const [jobs, image, io] = await Promise.all([
      this.jobs(),
      this.images.deliver(spec.image),
      this.images.deliver(stepIoImage()),
    ]);
    this.attempts.set(spec.name, {
      step: spec.labels['tidemark.step'] ?? spec.name,
      image: image.ref,
      resources: { cpus: spec.cpus, memoryMiB: spec.memoryMiB, gpus: spec.gpus },
      timeoutMs: spec.timeoutMs ?? 24 * 3600_000,
      images: this.route.to === 'node' ? { from: 'node' } : { from: 'registry', registry: this.route.registry },
    });
    if (!spec.io) {
      // A retry whose staging found the Job already there: nothing to create.
      if (await this.exists(spec.name)) return { name: spec.name, reattached: true };
      throw new TypeError(
        `step container ${spec.name} has no I/O spec: the Kubernetes backend needs KubernetesStaging`,
      );
    }
    // Docker's rule: a step's command replaces the entrypoint, and its args the image's command.
    const argv = spec.command
      ? [...spec.command, ...(spec.args ?? [])]
      : [...image.entrypoint, ...(spec.args ?? image.cmd)];
    const labels = Object.fromEntries(Object.entries(spec.labels).map(([k, v]) => [k, labelValue(v)]));
    const manifest = stepJobManifest({
      name: stepJobName(spec.name),
      namespace: jobs.namespace,
      labels,
      annotations: { ...spec.labels, [CONTAINER_ANNOTATION]: spec.name },
      image: image.ref,
      ...podUser(spec.user, image.nonRootUser),
      readOnlyRootFilesystem: spec.readOnlyRootfs ?? false,
      tmpSizeMiB: spec.tmpfs?.find((t) => t.path === '/tmp')?.sizeMiB,
      argv,
      env: spec.env,
      resources: { cpus: spec.cpus, memoryMiB: spec.memoryMiB, gpus: spec.gpus },
      timeoutMs: this.attempts.get(spec.name)!.timeoutMs,
      hostNetwork: this.config.containers.kubernetes.hostNetwork,
      io: { image: io.ref, spec: spec.io },
      ttlSecondsAfterFinished: this.config.containers.kubernetes.jobTtlSeconds,
      pullPolicy: this.route.to === 'node' ? 'Never' : 'IfNotPresent',
    });
    const { reattached } = await jobs.start(manifest);
    return { name: spec.name, reattached };
  }

  async attach(name: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<number> {
    const attempt = this.attempts.get(name);
    const classify: Parameters<StepJobs['follow']>[2] = (job, pod, largestNode) =>
      attempt ? classifyStepFailure(job, pod, { ...attempt, largestNode }) : undefined;
    const end = await (await this.jobs()).follow(stepJobName(name), onLine, classify, signal);
    return end.exitCode;
  }

  /** Deletes the attempt's Job and waits until its pod is gone too (foreground propagation). */
  async stop(name: string): Promise<void> {
    this.attempts.delete(name);
    await (await this.jobs()).remove(stepJobName(name), { foreground: true });
  }

  async list(labels: Record<string, string>, opts: { exitedOnly?: boolean } = {}): Promise<string[]> {
    const jobs = await (
      await this.jobs()
    ).list(Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, labelValue(v)])));
    return jobs
      .filter(
        (j) =>
          !opts.exitedOnly ||
          j.status?.conditions?.some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True'),
      )
      .map((j) => j.metadata?.annotations?.[CONTAINER_ANNOTATION] ?? j.metadata!.name!);
  }
}

/** The pod's user and group: the sandbox's uid[:gid] (lib/containers/sandbox.ts), else the image's non-root user. */
export function podUser(
  user: string | undefined,
  imageUser: number | undefined,
): { runAsUser?: number; runAsGroup?: number } {
  if (!user) return imageUser !== undefined ? { runAsUser: imageUser } : {};
  const [uid, gid] = user.split(':').map(Number);
  return { runAsUser: uid, ...(gid !== undefined ? { runAsGroup: gid } : {}) };
}
