import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { MovingImageTagError } from './errors.js';
import { restricted } from './job-manifest.js';

/** Everything a model server's Deployment and Service are made from; see modelServerManifests. */
export interface ModelServerManifestSpec {
  /** DNS-1123 (stepJobName of the server's name): the Deployment's and the Service's name. */
  name: string;
  namespace: string;
  /** Label values already valid (labelValue); `tidemark.server` among them selects the pods. */
  labels: Record<string, string>;
  /** Full values that may not fit a label (the server's own name, the deployment id, the model). */
  annotations: Record<string, string>;
  /** The serving image, content-tagged (never `:latest`). */
  image: string;
  /** The step I/O helper's image and the spec its `stage-in` reads: the model folder as the one input `model`. */
  io: { image: string; spec: string };
  port: number;
  workers: number;
  cpus: number;
  memoryMiB: number;
  /** The embedded test cluster: the pod on the node's (loopback) network, the server on 127.0.0.1. */
  hostNetwork: boolean;
  pullPolicy: 'IfNotPresent' | 'Never';
  /** The numeric user the pod runs as (never root). */
  runAsUser: number;
}

/** The label that selects one model server's pods. */
export const SERVER_LABEL = 'tidemark.server';

/**
 * One served model version on Kubernetes: a Deployment of one replica and a ClusterIP Service in
 * front of it. The pod keeps the step pods' hardening (non-root, no privileges, capabilities
 * dropped, read-only root, requests equal to limits, no service-account token). Its init container
 * is the step I/O helper, which downloads the model folder (content-addressed, hash-verified) into
 * an emptyDir that the server mounts read-only at /model: the server itself gets no credentials.
 * `Recreate`, not a rolling update: on the host network a second pod could not bind the port.
 */
export function modelServerManifests(spec: ModelServerManifestSpec): { deployment: V1Deployment; service: V1Service } {
  for (const image of [spec.image, spec.io.image])
    if (/:latest$/.test(image) || !/[:@][^/]+$/.test(image))
      throw new MovingImageTagError(
        `image "${image}" has no content tag; a model server must name a tag that never moves`,
      );
  const host = spec.hostNetwork ? '127.0.0.1' : '0.0.0.0';
  const selector = { [SERVER_LABEL]: spec.labels[SERVER_LABEL]! };
  const metadata = { name: spec.name, namespace: spec.namespace, labels: spec.labels, annotations: spec.annotations };
  const amounts = { cpu: `${Math.round(spec.cpus * 1000)}m`, memory: `${spec.memoryMiB}Mi` };
  const deployment: V1Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: spec.labels, annotations: spec.annotations },
        spec: {
          hostNetwork: spec.hostNetwork,
          dnsPolicy: spec.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 5,
          securityContext: {
            seccompProfile: { type: 'RuntimeDefault' },
            runAsUser: spec.runAsUser,
            runAsGroup: spec.runAsUser,
            runAsNonRoot: true,
          },
          initContainers: [
            {
              name: 'stage-model',
              image: spec.io.image,
              imagePullPolicy: spec.pullPolicy,
              command: ['/step-io', 'stage-in'],
              env: [{ name: 'TIDEMARK_STEP_IO', value: spec.io.spec }],
              volumeMounts: [
                { name: 'model', mountPath: '/inputs' },
                { name: 'shared', mountPath: '/tidemark' },
              ],
              securityContext: restricted(),
            },
          ],
          containers: [
            {
              name: 'server',
              image: spec.image,
              imagePullPolicy: spec.pullPolicy,
              args: [String(spec.port), String(spec.workers), host],
              env: [{ name: 'HOME', value: '/tmp' }],
              ports: [{ name: 'http', containerPort: spec.port }],
              resources: { requests: amounts, limits: amounts },
              readinessProbe: {
                httpGet: { path: '/ping', port: spec.port, ...(spec.hostNetwork ? { host: '127.0.0.1' } : {}) },
                periodSeconds: 2,
                failureThreshold: 3,
              },
              volumeMounts: [
                { name: 'model', mountPath: '/model', subPath: 'model', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
              securityContext: restricted(),
            },
          ],
          volumes: [
            { name: 'model', emptyDir: {} },
            { name: 'shared', emptyDir: {} },
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '256Mi' } },
          ],
        },
      },
    },
  };
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: spec.port, targetPort: spec.port }] },
  };
  return { deployment, service };
}
