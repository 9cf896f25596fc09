import type { V1Container, V1Job, V1SecurityContext } from '@kubernetes/client-node';
import { MovingImageTagError } from './errors.js';

/** The pod's folders: emptyDir volumes, so the root file system can stay read-only. */
export const POD_PATHS = { inputs: '/inputs', outputs: '/outputs', tmp: '/tmp', shared: '/tidemark' } as const;

/** Everything a step attempt's Job is made from; see stepJobManifest. */
export interface StepJobSpec {
  /** DNS-1123 (stepJobName): the same on every retry of the attempt, so a retry finds the Job. */
  name: string;
  namespace: string;
  /** Label values already valid (labelValue); they select the Jobs of a workflow or step. */
  labels: Record<string, string>;
  /** Full values that may not fit a label (workflow id, step key, container name). */
  annotations: Record<string, string>;
  /** A content-tagged reference (never `:latest`): the node must not pull another image of the same name. */
  image: string;
  /**
   * The numeric user (and group) the pod runs as, and must (`runAsNonRoot`): the worker's step user
   * (steps.user), or the image's own user when it is not root; unset only for a step that asked
   * for root (`runAsRoot: true`) in an image whose user is root.
   */
  runAsUser?: number;
  runAsGroup?: number;
  /** The step container's root file system read-only (false only for a step that asked for root). */
  readOnlyRootFilesystem: boolean;
  /** Size of the step's in-memory /tmp (steps.tmpMiB); unset, a disk-backed /tmp without a limit. */
  tmpSizeMiB?: number;
  /** The whole command line: the step's command, or the image's entrypoint and command. */
  argv: string[];
  env: Record<string, string>;
  resources: { cpus?: number; memoryMiB?: number; gpus?: number };
  timeoutMs: number;
  /** Pods of the embedded test cluster share the node's (loopback) network; off on real clusters. */
  hostNetwork: boolean;
  /** The I/O helper: its content-tagged image, and the spec it reads (TIDEMARK_STEP_IO). */
  io: { image: string; spec: string };
  /** How long a finished Job stays when nothing removes it: a backstop for the worker's own clean-up. */
  ttlSecondsAfterFinished: number;
  /**
   * `IfNotPresent` where a registry serves the images; `Never` on a node whose images were copied
   * into it (there is no registry to pull from, and a pull must not go out to the internet).
   */
  pullPolicy: 'IfNotPresent' | 'Never';
}

/** No privileges, no new ones, and (unless the step asked for root) nothing written outside the pod's volumes. */
export function restricted(readOnlyRootFilesystem = true): V1SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem,
    capabilities: { drop: ['ALL'] },
  };
}

function resources(r: StepJobSpec['resources']): V1Container['resources'] {
  const amounts: Record<string, string> = {};
  if (r.cpus !== undefined) amounts.cpu = `${Math.round(r.cpus * 1000)}m`;
  if (r.memoryMiB !== undefined) amounts.memory = `${r.memoryMiB}Mi`;
  if (r.gpus !== undefined && r.gpus > 0) amounts['nvidia.com/gpu'] = String(r.gpus);
  // Requests equal to limits: the scheduler places the step where all of it fits, as Docker's limits promise.
  return Object.keys(amounts).length ? { requests: { ...amounts }, limits: amounts } : undefined;
}

/**
 * The batch/v1 Job of one step attempt. Kubernetes never retries it (backoffLimit 0: Tidemark owns
 * retries); the step's timeout is the Job's deadline. The pod has two containers: `stage-in` (the I/O
 * helper, an init container) copies the helper into a shared folder and downloads the inputs into
 * /inputs; `step` runs the step's command under the helper, which then uploads /outputs and writes
 * the result. Both run without privileges on a read-only root file system, with /inputs, /outputs,
 * /tmp and the helper's folder as emptyDir volumes.
 */
export function stepJobManifest(spec: StepJobSpec): V1Job {
  if (/:latest$/.test(spec.image) || !/[:@][^/]+$/.test(spec.image)) {
    throw new MovingImageTagError(
      `image "${spec.image}" has no content tag; a Job must name an image by a tag that never moves`,
    );
  }
  const security = restricted();
  const mount = (name: keyof typeof POD_PATHS, readOnly = false) => ({ name, mountPath: POD_PATHS[name], readOnly });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: spec.name, namespace: spec.namespace, labels: spec.labels, annotations: spec.annotations },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.max(1, Math.ceil(spec.timeoutMs / 1000)),
      ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished,
      template: {
        metadata: { labels: spec.labels, annotations: spec.annotations },
        spec: {
          restartPolicy: 'Never',
          hostNetwork: spec.hostNetwork,
          dnsPolicy: spec.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 5,
          securityContext: {
            seccompProfile: { type: 'RuntimeDefault' },
            ...(spec.runAsUser !== undefined ? { runAsUser: spec.runAsUser, runAsNonRoot: true } : {}),
            ...(spec.runAsGroup !== undefined ? { runAsGroup: spec.runAsGroup } : {}),
          },
          initContainers: [
            {
              name: 'stage-in',
              image: spec.io.image,
              imagePullPolicy: spec.pullPolicy,
              command: ['/step-io', 'stage-in'],
              env: [{ name: 'TIDEMARK_STEP_IO', value: spec.io.spec }],
              volumeMounts: [mount('inputs'), mount('shared')],
              securityContext: security,
            },
          ],
          containers: [
            {
              name: 'step',
              image: spec.image,
              imagePullPolicy: spec.pullPolicy,
              command: [`${POD_PATHS.shared}/step-io`, 'run', '--', ...spec.argv],
              env: Object.entries(spec.env).map(([name, value]) => ({ name, value })),
              resources: resources(spec.resources),
              volumeMounts: [mount('inputs', true), mount('outputs'), mount('tmp'), mount('shared')],
              securityContext: restricted(spec.readOnlyRootFilesystem),
            },
          ],
          volumes: (Object.keys(POD_PATHS) as (keyof typeof POD_PATHS)[]).map((name) => ({
            name,
            // /tmp in memory with a size limit, as Docker's tmpfs: counted against the step's memory.
            emptyDir:
              name === 'tmp' && spec.tmpSizeMiB !== undefined
                ? { medium: 'Memory', sizeLimit: `${spec.tmpSizeMiB}Mi` }
                : {},
          })),
        },
      },
    },
  };
}
