import { hostname } from 'node:os';
import { join } from 'node:path';
import type { StackPaths } from '../paths.js';

/** Loopback addresses of the embedded cluster's servers. */
export const CLUSTER_PORTS = {
  apiServer: 6443,
  etcdClient: 2379,
  etcdPeer: 2380,
  kubelet: 10250,
  kubeletHealthz: 10248,
  controllerManager: 10257,
  scheduler: 10259,
} as const;

export const API_SERVER_URL = `https://127.0.0.1:${CLUSTER_PORTS.apiServer}`;

/** Where everything of the embedded cluster lives: all of it under the stack's state folder. */
export interface ClusterLayout {
  root: string;
  pki: string;
  etcdData: string;
  containerdRoot: string;
  containerdState: string;
  containerdConfig: string;
  /** Short, in the run folder: a unix socket path may not exceed 107 bytes. */
  containerdSocket: string;
  cniConfDir: string;
  kubeletRoot: string;
  kubeletConfig: string;
  podLogs: string;
  kubeconfigDir: string;
  /** The administrator's kubeconfig: what kubectl, the tests and the Kubernetes backend use. */
  adminKubeconfig: string;
  nodeName: string;
}

/**
 * The kubelet names the node after the host; the API server reaches the kubelet by that name, so it
 * must resolve to 127.0.0.1 (it does in /etc/hosts on Debian). Lowercased: node names are DNS names.
 */
export function clusterNodeName(): string {
  return hostname().toLowerCase();
}

export function clusterLayout(paths: StackPaths): ClusterLayout {
  const root = join(paths.stateDir, 'kubernetes');
  const kubeconfigDir = join(root, 'kubeconfig');
  return {
    root,
    pki: join(root, 'pki'),
    etcdData: join(root, 'etcd'),
    containerdRoot: join(root, 'containerd', 'root'),
    containerdState: join(root, 'containerd', 'state'),
    containerdConfig: join(root, 'containerd', 'config.toml'),
    containerdSocket: join(paths.runDir, 'kube-containerd.sock'),
    cniConfDir: join(root, 'cni'),
    kubeletRoot: join(root, 'kubelet'),
    kubeletConfig: join(root, 'kubelet-config.yaml'),
    podLogs: join(root, 'pod-logs'),
    kubeconfigDir,
    adminKubeconfig: join(kubeconfigDir, 'admin.kubeconfig'),
    nodeName: clusterNodeName(),
  };
}

/**
 * How the Kubernetes backend reaches the embedded cluster: its admin kubeconfig; images copied
 * into its node's containerd (it has no registry); pods on the node's network, where the stack's
 * MinIO and MLflow listen on loopback.
 */
export function embeddedClusterSettings(layout: ClusterLayout): {
  kubeconfig: string;
  nodeContainerd: string;
  hostNetwork: true;
} {
  return { kubeconfig: layout.adminKubeconfig, nodeContainerd: layout.containerdSocket, hostNetwork: true };
}
