import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import {
  StepDeadlineError,
  StepImageUnavailableError,
  StepOutOfMemoryError,
  StepPodLostError,
  StepPodSpecError,
  StepUnschedulableError,
} from './errors.js';

/** What the classifier knows about the step, to name the setting behind a failure. */
export interface FailureContext {
  step: string;
  image: string;
  resources: { cpus?: number; memoryMiB?: number; gpus?: number };
  timeoutMs: number;
  /** How the cluster gets images: copied into the node (the embedded cluster), or pulled from TIDEMARK_REGISTRY (unset: undefined). */
  images: { from: 'node' } | { from: 'registry'; registry?: string };
  /** What the largest node can give a pod (allocatable), once an Unschedulable pod made the caller look. */
  largestNode?: NodeCapacity;
}

export interface NodeCapacity {
  cpus: number;
  memoryMiB: number;
  gpus: number;
}

/** Parses a Kubernetes quantity ("1500m", "2", "16323456Ki", "4Gi") into a number of units (cores, bytes). */
export function parseQuantity(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return NaN;
  const factors: Record<string, number> = {
    '': 1,
    m: 1e-3,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(m[1]) * (factors[m[2]!] ?? NaN);
}

/** The most any node offers, from the nodes' allocatable resources. */
export function largestNode(nodes: { status?: { allocatable?: Record<string, string> } }[]): NodeCapacity {
  const max = (key: string, scale: number) =>
    Math.max(0, ...nodes.map((n) => parseQuantity(n.status?.allocatable?.[key] ?? '0') / scale));
  return { cpus: max('cpu', 1), memoryMiB: max('memory', 2 ** 20), gpus: max('nvidia.com/gpu', 1) };
}

const IMAGE_REASONS = new Set(['ErrImageNeverPull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImagePull']);
const SPEC_REASONS = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

function imageFix(ctx: FailureContext): string {
  if (ctx.images.from === 'node') {
    return "The embedded cluster has no registry: the worker copies each image from its Docker into the node, once; if the node's images were removed since, restart the worker. Check that the image exists in Docker (`docker image ls`).";
  }
  if (!ctx.images.registry)
    return 'Set TIDEMARK_REGISTRY to a registry the cluster can pull from: Tidemark pushes the images it builds there.';
  return `Tidemark pushes the images it builds to TIDEMARK_REGISTRY (${ctx.images.registry}); check that the cluster can pull from it (credentials, imagePullSecrets) and that the image was pushed.`;
}

function imageFailure(status: V1ContainerStatus, ctx: FailureContext): Error | undefined {
  const waiting = status.state?.waiting;
  // ErrImagePull turns into ImagePullBackOff after the kubelet's first retry; a registry may just be slow.
  if (!waiting?.reason || !IMAGE_REASONS.has(waiting.reason) || waiting.reason === 'ErrImagePull') return undefined;
  const image = status.image || ctx.image;
  return new StepImageUnavailableError(
    `step "${ctx.step}": the cluster cannot get image "${image}" (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}). ${imageFix(ctx)}`,
  );
}

const STEP_FIELDS: Record<
  string,
  {
    field: string;
    asked: (r: FailureContext['resources']) => number | undefined;
    has: (n: NodeCapacity) => number;
    unit: string;
  }
> = {
  cpu: { field: 'resources.cpus', asked: (r) => r.cpus, has: (n) => n.cpus, unit: 'CPUs' },
  memory: { field: 'resources.memoryMiB', asked: (r) => r.memoryMiB, has: (n) => n.memoryMiB, unit: 'MiB of memory' },
  'nvidia.com/gpu': { field: 'resources.gpus', asked: (r) => r.gpus, has: (n) => n.gpus, unit: 'GPUs' },
};

/** An Unschedulable pod whose request exceeds every node: waiting cannot help. A pod that waits for room is not a failure. */
function unschedulable(pod: V1Pod, ctx: FailureContext): Error | undefined {
  const cond = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
  );
  if (!cond || !ctx.largestNode) return undefined;
  for (const f of Object.values(STEP_FIELDS)) {
    const asked = f.asked(ctx.resources);
    const has = f.has(ctx.largestNode);
    if (asked !== undefined && asked > has) {
      return new StepUnschedulableError(
        `step "${ctx.step}" asks for ${asked} ${f.unit} (${f.field}), and no node of the cluster has that much (the largest has ${+has.toFixed(2)}; the scheduler says: ${cond.message ?? 'Unschedulable'}). Lower ${f.field}, or run it on a cluster with bigger nodes.`,
      );
    }
  }
  return undefined;
}

function terminated(pod: V1Pod, ctx: FailureContext): Error | undefined {
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const s of statuses) {
    const t = s.state?.terminated ?? s.lastState?.terminated;
    if (t?.reason === 'OOMKilled') {
      const limit =
        ctx.resources.memoryMiB !== undefined
          ? `its memory limit of ${ctx.resources.memoryMiB} MiB (resources.memoryMiB)`
          : 'the memory the node had left (it sets no resources.memoryMiB)';
      return new StepOutOfMemoryError(
        `step "${ctx.step}" ran out of memory: it was killed at ${limit}. Raise resources.memoryMiB, or make the step use less memory.`,
      );
    }
  }
  const stageIn = pod.status?.initContainerStatuses?.find((s) => s.name === 'stage-in')?.state?.terminated;
  if (stageIn && stageIn.exitCode !== 0) {
    return new StepPodLostError(
      `step "${ctx.step}": its inputs could not be downloaded into the pod: ${stageIn.message?.trim() || `the I/O helper exited with ${stageIn.exitCode}`}`,
    );
  }
  return undefined;
}

/**
 * Why a step's Job or pod failed, as the error the step should fail with, or undefined when nothing
 * final is visible (still starting, waiting for room, or ended by the step's own command: the
 * result record tells that). Non-retryable where a retry cannot help: out of memory at the limit,
 * an image the cluster cannot get, a request no node can hold, the deadline; evictions and lost
 * nodes are retried.
 */
export function classifyStepFailure(
  job: V1Job | undefined,
  pod: V1Pod | undefined,
  ctx: FailureContext,
): Error | undefined {
  if (pod) {
    const oomOrInputs = terminated(pod, ctx);
    if (oomOrInputs) return oomOrInputs;
    for (const s of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      const image = imageFailure(s, ctx);
      if (image) return image;
      const waiting = s.state?.waiting;
      if (waiting?.reason && SPEC_REASONS.has(waiting.reason)) {
        return new StepPodSpecError(
          `step "${ctx.step}": Kubernetes cannot start its container (${waiting.reason}: ${waiting.message ?? ''}). Check the step's image and command.`,
        );
      }
    }
    const stuck = unschedulable(pod, ctx);
    if (stuck) return stuck;
  }
  // The Job controller marks FailureTarget when the deadline passes, before it stops the pod, and
  // Failed only once the pod is gone: either one names the deadline.
  const failed = job?.status?.conditions?.find(
    (c) => (c.type === 'Failed' || c.type === 'FailureTarget') && c.status === 'True',
  );
  if (failed?.reason === 'DeadlineExceeded') {
    return new StepDeadlineError(
      `step "${ctx.step}" ran longer than its timeout of ${Math.round(ctx.timeoutMs / 1000)} s and was stopped. Raise the step's timeout if it needs longer.`,
    );
  }
  if (pod?.status?.phase === 'Failed' && pod.status.reason && pod.status.reason !== 'DeadlineExceeded') {
    return new StepPodLostError(
      `step "${ctx.step}": its pod ${pod.metadata?.name ?? ''} failed (${pod.status.reason}: ${pod.status.message ?? ''}); it is retried.`,
    );
  }
  return undefined;
}
