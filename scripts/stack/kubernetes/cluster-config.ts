import { DEV_DEFAULTS } from '../../../common/config.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { API_SERVER_URL, CLUSTER_PORTS, type ClusterLayout } from './cluster-layout.js';
import type { ClusterPki } from './pki.js';

/**
 * containerd for the cluster alone: its own root, state and socket (dockerd's containerd is left
 * alone), only the CRI and what it needs, no metrics listener. `restrict_oom_score_adj`: root here
 * lacks CAP_SYS_RESOURCE, so a negative oom_score_adj would fail every pod sandbox.
 * TOML written by hand: eleven fixed settings do not warrant a TOML library.
 */
function containerdToml(layout: ClusterLayout, sandboxImage: string): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${JSON.stringify(layout.containerdRoot)}
state = ${JSON.stringify(layout.containerdState)}
disabled_plugins = ["io.containerd.internal.v1.opt", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = ${JSON.stringify(layout.containerdSocket)}

[ttrpc]
  address = ${JSON.stringify(`${layout.containerdSocket}.ttrpc`)}

[metrics]
  address = ""

[${cri}]
  sandbox_image = ${JSON.stringify(`docker.io/${sandboxImage}`)}
  restrict_oom_score_adj = true
  enable_selinux = false
  disable_apparmor = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[${cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[${cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[${cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false

[${cri}.cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = ${JSON.stringify(layout.cniConfDir)}
`;
}

/**
 * The CNI network: the loopback interface and nothing else. Test pods use the host network, so no
 * bridge, no pod addresses in a private range and no traffic off loopback; the kubelet only needs a
 * network to report the node Ready.
 */
const CNI_LOOPBACK = { cniVersion: '1.0.0', name: 'tidemark-loopback', plugins: [{ type: 'loopback' }] };

function kubeletConfig(layout: ClusterLayout, pki: ClusterPki): Record<string, unknown> {
  const serving = pki.cert('kubelet');
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: '127.0.0.1',
    port: CLUSTER_PORTS.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: CLUSTER_PORTS.kubeletHealthz,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: pki.caCert } },
    authorization: { mode: 'Webhook' },
    tlsCertFile: serving.cert,
    tlsPrivateKeyFile: serving.key,
    containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
    // This machine has cgroup v1 and no systemd: the cgroupfs driver, and v1 allowed.
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    failSwapOn: false,
    podLogsDir: layout.podLogs,
    volumePluginDir: join(layout.kubeletRoot, 'volume-plugins'),
    resolvConf: '/etc/resolv.conf',
    // There is no registry: an image GC would delete images nothing can pull again, and disk
    // pressure on a shared development machine must not evict steps.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
    serializeImagePulls: false,
    registerNode: true,
    maxPods: 110,
    // A pod has no pids limit of its own in its spec: the kubelet gives every pod the one a Docker
    // step gets (steps.pidsLimit's default), so a fork bomb in a step cannot take the node.
    podPidsLimit: DEV_DEFAULTS.stepPidsLimit,
  };
}

function kubeconfig(name: string, pki: ClusterPki, certName: string): Record<string, unknown> {
  const { cert, key } = pki.cert(certName);
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'tidemark', cluster: { server: API_SERVER_URL, 'certificate-authority': pki.caCert } }],
    users: [{ name, user: { 'client-certificate': cert, 'client-key': key } }],
    contexts: [{ name: 'tidemark', context: { cluster: 'tidemark', user: name, namespace: 'default' } }],
    'current-context': 'tidemark',
  };
}

/** The kubeconfig of each client of the API server, by component. */
export function kubeconfigPath(
  layout: ClusterLayout,
  component: 'admin' | 'controller-manager' | 'scheduler' | 'kubelet',
): string {
  return join(layout.kubeconfigDir, `${component}.kubeconfig`);
}

/** Writes every configuration file of the cluster (cheap and idempotent, so on every start). */
export function writeClusterConfig(layout: ClusterLayout, pki: ClusterPki, sandboxImage: string): void {
  for (const dir of [
    layout.root,
    layout.cniConfDir,
    layout.kubeconfigDir,
    join(layout.containerdConfig, '..'),
    layout.kubeletRoot,
    layout.podLogs,
  ])
    mkdirSync(dir, { recursive: true });
  writeFileSync(layout.containerdConfig, containerdToml(layout, sandboxImage));
  writeFileSync(join(layout.cniConfDir, '10-tidemark-loopback.conflist'), `${JSON.stringify(CNI_LOOPBACK, null, 2)}\n`);
  writeFileSync(layout.kubeletConfig, stringify(kubeletConfig(layout, pki)));
  const clients = {
    admin: 'admin',
    'controller-manager': 'controller-manager',
    scheduler: 'scheduler',
    kubelet: 'kubelet-client',
  } as const;
  for (const [component, cert] of Object.entries(clients)) {
    writeFileSync(
      kubeconfigPath(layout, component as keyof typeof clients),
      stringify(kubeconfig(component, pki, cert)),
      { mode: 0o600 },
    );
  }
}
