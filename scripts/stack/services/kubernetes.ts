import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import Docker from 'dockerode';
import { execa } from 'execa';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { TidemarkConfig } from '../../../common/config.js';
import { ContainerdImages } from '../../../lib/kubernetes/containerd-images.js';
import {
  readPid,
  specFingerprint,
  startDaemon,
  startedWith,
  stopDaemon,
  waitUntil,
  type DaemonSpec,
} from '../daemon.js';
import type { StackPaths } from '../paths.js';
import { ToolMissingError } from '../tools.js';
import { writeClusterConfig } from '../kubernetes/cluster-config.js';
import { clusterImages } from '../kubernetes/cluster-images.js';
import { API_SERVER_URL, CLUSTER_PORTS, clusterLayout, type ClusterLayout } from '../kubernetes/cluster-layout.js';
import { COMPONENTS, componentSpecs, type Component } from '../kubernetes/components.js';
import { KUBE_PINS, kubePaths, kubeProgram } from '../kubernetes/kube-tools.js';
import { killLeftovers, removeKubeCgroups, unmountBelow } from '../kubernetes/node-cleanup.js';
import { ensurePki, type ClusterPki } from '../kubernetes/pki.js';
import type { StackService } from './service.js';

/** GET over HTTPS on loopback; true on a 2xx. `ca` verifies the server, or any certificate is taken (a component's self-signed one). */
function httpsOk(url: string, ca?: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { ca, rejectUnauthorized: ca !== undefined, timeout: 2000 }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 300);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  return res?.ok ?? false;
}

/**
 * A real single-node Kubernetes on loopback, for the Kubernetes backend and its tests: containerd
 * with its own root and socket, etcd, the API server on 127.0.0.1:6443, the controller manager,
 * the scheduler and the kubelet, each a daemon of the stack. Started only when asked for
 * (`--with kubernetes`, or the Kubernetes backend in the config); `stop()` also ends the
 * containers, mounts and cgroups the node made.
 */
export class KubernetesCluster implements StackService {
  readonly name = 'kubernetes';
  readonly layout: ClusterLayout;

  constructor(
    private readonly config: TidemarkConfig,
    private readonly paths: StackPaths,
  ) {
    this.layout = clusterLayout(paths);
  }

  private installed(): void {
    if (!existsSync(kubePaths(this.paths).kube))
      throw new ToolMissingError(
        'kubernetes',
        "run `npm run setup` (its kubernetes lane builds the cluster's programs)",
      );
    if (process.getuid?.() !== 0)
      throw new Error(
        'The embedded Kubernetes node needs root (containerd, mounts, cgroups). Fix: run as root, or point Tidemark at another cluster with a kubeconfig.',
      );
  }

  private async pki(): Promise<ClusterPki> {
    return ensurePki(this.layout.pki, this.layout.nodeName);
  }

  private apiServerReady(): Promise<boolean> {
    const ca = existsSync(`${this.layout.pki}/ca.crt`) ? readFileSync(`${this.layout.pki}/ca.crt`) : undefined;
    return ca ? httpsOk(`${API_SERVER_URL}/readyz`, ca) : Promise.resolve(false);
  }

  private probes(): Record<Component, () => Promise<boolean>> {
    return {
      'kube-containerd': async () =>
        (await execa('ctr', ['--address', this.layout.containerdSocket, 'version'], { reject: false, timeout: 5000 }))
          .exitCode === 0,
      'kube-etcd': () => httpOk(`http://127.0.0.1:${CLUSTER_PORTS.etcdClient}/health`),
      'kube-apiserver': () => this.apiServerReady(),
      'kube-controller-manager': () => httpsOk(`https://127.0.0.1:${CLUSTER_PORTS.controllerManager}/healthz`),
      'kube-scheduler': () => httpsOk(`https://127.0.0.1:${CLUSTER_PORTS.scheduler}/healthz`),
      kubelet: () => httpOk(`http://127.0.0.1:${CLUSTER_PORTS.kubeletHealthz}/healthz`),
    };
  }

  private api(): CoreV1Api {
    const kc = new KubeConfig();
    kc.loadFromFile(this.layout.adminKubeconfig);
    return kc.makeApiClient(CoreV1Api);
  }

  /** The node is Ready and the `default` ServiceAccount exists: pods can be created. */
  private async nodeReady(): Promise<boolean> {
    const api = this.api();
    const node = await api.readNode({ name: this.layout.nodeName });
    const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    if (!ready) return false;
    await api.readNamespacedServiceAccount({ name: 'default', namespace: this.config.containers.kubeNamespace });
    return true;
  }

  async healthy(): Promise<boolean> {
    if (!existsSync(this.layout.adminKubeconfig) || !(await this.apiServerReady())) return false;
    const probes = this.probes();
    const up = await Promise.all(COMPONENTS.map((c) => probes[c]()));
    return up.every(Boolean) && (await this.nodeReady().catch(() => false));
  }

  daemonSpec(): DaemonSpec {
    // The cluster is six daemons (see components.ts); the stack's stale-daemon check looks at
    // a pid file named after the service, which the cluster does not have, so this is for show.
    return {
      name: this.name,
      command: kubeProgram(this.paths, 'kube-apiserver'),
      args: [],
      logFile: `${this.paths.logsDir}/kube-apiserver.log`,
      runDir: this.paths.runDir,
    };
  }

  /** Starts each component that is not running (or runs another command line than this code's), in order, waiting for each. */
  async start(): Promise<void> {
    this.installed();
    const pki = await this.pki();
    const images = clusterImages();
    writeClusterConfig(this.layout, pki, images.pause);
    const specs = componentSpecs(this.paths, this.layout, pki);
    const probes = this.probes();
    const bring = async (component: Component) => {
      const spec = specs[component];
      const pid = readPid(this.paths.runDir, component);
      if (
        pid !== undefined &&
        startedWith(this.paths.runDir, component) === specFingerprint(spec) &&
        (await probes[component]())
      )
        return;
      if (pid !== undefined) await stopDaemon(this.paths.runDir, component);
      startDaemon(spec);
      await waitUntil(component, probes[component], 120_000, `See ${spec.logFile}.`);
    };
    await bring('kube-containerd');
    const docker = new Docker({ socketPath: this.config.containers.dockerSocket });
    const node = new ContainerdImages(this.layout.containerdSocket, docker);
    await Promise.all([
      ...images.all.map((ref) => node.ensure(ref)),
      bring('kube-etcd').then(() => bring('kube-apiserver')),
    ]);
    await Promise.all([bring('kube-controller-manager'), bring('kube-scheduler'), bring('kubelet')]);
    await waitUntil(
      'the Kubernetes node',
      () => this.nodeReady(),
      120_000,
      `See ${specs.kubelet.logFile} and ${specs['kube-controller-manager'].logFile}.`,
    );
  }

  /** Stops every component, then ends the containers, mounts and cgroups the node left. True when anything was running. */
  async stop(): Promise<boolean> {
    const running = COMPONENTS.filter((c) => readPid(this.paths.runDir, c) !== undefined);
    await stopDaemon(this.paths.runDir, 'kubelet');
    await Promise.all([
      stopDaemon(this.paths.runDir, 'kube-controller-manager'),
      stopDaemon(this.paths.runDir, 'kube-scheduler'),
    ]);
    if (readPid(this.paths.runDir, 'kube-containerd') !== undefined && existsSync(kubePaths(this.paths).kube)) {
      // Through the CRI, so containerd also ends the shims and unmounts what it mounted for pods.
      await execa(kubePaths(this.paths).kube, ['cri-reset', `unix://${this.layout.containerdSocket}`], {
        reject: false,
        timeout: 120_000,
      });
    }
    await stopDaemon(this.paths.runDir, 'kube-containerd');
    await Promise.all([
      stopDaemon(this.paths.runDir, 'kube-apiserver').then(() => stopDaemon(this.paths.runDir, 'kube-etcd')),
    ]);
    const killed = await killLeftovers(this.layout.containerdSocket);
    await unmountBelow([this.layout.root, this.layout.containerdState, this.layout.kubeletRoot]);
    removeKubeCgroups();
    return running.length > 0 || killed > 0;
  }

  async version(): Promise<string> {
    const kube = kubePaths(this.paths).kube;
    // `containerd github.com/containerd/containerd 1.6.20~ds1 …` and `runc version 1.1.5+ds1`: the version is the first word that starts with a digit.
    const versionOf = async (cmd: string) =>
      /\s(\d[^\s]*)/.exec((await execa(cmd, ['--version'], { reject: false })).stdout)?.[1] ?? 'not installed';
    const [containerd, runc] = await Promise.all([versionOf('containerd'), versionOf('runc')]);
    const built = existsSync(kube) ? `(${kube})` : '(not built: run `npm run setup`)';
    return `kubernetes ${KUBE_PINS.kubernetes}, etcd ${KUBE_PINS.etcd}, containerd ${containerd}, runc ${runc} ${built}`;
  }

  urls(): string[] {
    if (readPid(this.paths.runDir, 'kube-apiserver') === undefined) return [];
    return [`Kubernetes API: ${API_SERVER_URL} (kubeconfig: ${this.layout.adminKubeconfig})`];
  }
}
