import { join } from 'node:path';
import type { DaemonSpec } from '../daemon.js';
import type { StackPaths } from '../paths.js';
import { kubeProgram } from './kube-tools.js';
import { kubeconfigPath } from './cluster-config.js';
import { API_SERVER_URL, CLUSTER_PORTS, type ClusterLayout } from './cluster-layout.js';
import type { ClusterPki } from './pki.js';

/** The cluster's processes in start order; each is a daemon of the stack with its own pid file. */
export const COMPONENTS = [
  'kube-containerd',
  'kube-etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
] as const;
export type Component = (typeof COMPONENTS)[number];

/** A range for Service addresses; nothing routes to it (no kube-proxy runs), the API server only needs one. */
const SERVICE_RANGE = '10.96.0.0/16';

export function componentSpecs(
  paths: StackPaths,
  layout: ClusterLayout,
  pki: ClusterPki,
): Record<Component, DaemonSpec> {
  const daemon = (name: Component, command: string, args: string[]): DaemonSpec => ({
    name,
    command,
    args,
    logFile: join(paths.logsDir, `${name}.log`),
    runDir: paths.runDir,
  });
  const etcdUrl = `http://127.0.0.1:${CLUSTER_PORTS.etcdClient}`;
  const peerUrl = `http://127.0.0.1:${CLUSTER_PORTS.etcdPeer}`;
  const apiserverCert = pki.cert('apiserver');
  const kubeletClient = pki.cert('apiserver-kubelet-client');
  const loopbackServer = (port: number) => ['--bind-address=127.0.0.1', `--secure-port=${port}`];
  // The controller manager and the scheduler: a client of the API server with a health port on loopback, one of its kind.
  const controlPlaneClient = (component: 'controller-manager' | 'scheduler', port: number) => {
    const kubeconfig = kubeconfigPath(layout, component);
    return [
      ...loopbackServer(port),
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--leader-elect=false',
      '--profiling=false',
    ];
  };
  return {
    'kube-containerd': daemon('kube-containerd', 'containerd', ['--config', layout.containerdConfig]),
    'kube-etcd': daemon('kube-etcd', kubeProgram(paths, 'etcd'), [
      '--name=tidemark',
      `--data-dir=${layout.etcdData}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=tidemark=${peerUrl}`,
      // A disposable test cluster on a shared disk: no fsync, as kind and k3d run their etcd too.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]),
    'kube-apiserver': daemon('kube-apiserver', kubeProgram(paths, 'kube-apiserver'), [
      ...loopbackServer(CLUSTER_PORTS.apiServer),
      `--etcd-servers=${etcdUrl}`,
      `--service-cluster-ip-range=${SERVICE_RANGE}`,
      // No endpoints for the `kubernetes` Service: pods do not talk to the API server here.
      '--endpoint-reconciler-type=none',
      `--client-ca-file=${pki.caCert}`,
      `--tls-cert-file=${apiserverCert.cert}`,
      `--tls-private-key-file=${apiserverCert.key}`,
      `--kubelet-client-certificate=${kubeletClient.cert}`,
      `--kubelet-client-key=${kubeletClient.key}`,
      `--kubelet-certificate-authority=${pki.caCert}`,
      // The node's name resolves to 127.0.0.1, its InternalIP does not: logs come over loopback.
      '--kubelet-preferred-address-types=Hostname',
      `--service-account-issuer=${API_SERVER_URL}`,
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=false',
      '--profiling=false',
      '--enable-priority-and-fairness=false',
      '--event-ttl=30m',
    ]),
    'kube-controller-manager': daemon('kube-controller-manager', kubeProgram(paths, 'kube-controller-manager'), [
      ...controlPlaneClient('controller-manager', CLUSTER_PORTS.controllerManager),
      `--service-account-private-key-file=${pki.serviceAccountKey}`,
      `--root-ca-file=${pki.caCert}`,
      '--use-service-account-credentials=true',
    ]),
    'kube-scheduler': daemon(
      'kube-scheduler',
      kubeProgram(paths, 'kube-scheduler'),
      controlPlaneClient('scheduler', CLUSTER_PORTS.scheduler),
    ),
    kubelet: daemon('kubelet', kubeProgram(paths, 'kubelet'), [
      `--config=${layout.kubeletConfig}`,
      `--kubeconfig=${kubeconfigPath(layout, 'kubelet')}`,
      `--root-dir=${layout.kubeletRoot}`,
      `--hostname-override=${layout.nodeName}`,
    ]),
  };
}
