import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT, type StackPaths } from '../paths.js';

/** Pinned versions of the embedded cluster's programs. */
export const KUBE_PINS = {
  /** k8s.io/kubernetes; newer minors refuse cgroup v1 by default and drop containerd 1.x. */
  kubernetes: 'v1.34.4',
  /** go.etcd.io/etcd/server/v3, linked into the same binary (scripts/setup/kubernetes/kube/go.mod). */
  etcd: 'v3.6.16',
} as const;

/** The programs of the multi-call binary `kube`, each a symbolic link to it. */
export const KUBE_PROGRAMS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubelet',
  'kubectl',
] as const;
export type KubeProgram = (typeof KUBE_PROGRAMS)[number];

/** The Go module that builds `kube`: a main that dispatches to each program's own command. */
export const KUBE_MODULE_DIR = join(PROJECT_ROOT, 'scripts', 'setup', 'kubernetes', 'kube');

const VERSION_PKG = 'k8s.io/component-base/version';

/** The linker flags: no symbol tables or DWARF (a smaller binary, a faster link) and the version the programs report. */
export function kubeLdflags(): string {
  const [major, minor] = KUBE_PINS.kubernetes.replace(/^v/, '').split('.');
  return [
    '-s -w',
    `-X ${VERSION_PKG}.gitVersion=${KUBE_PINS.kubernetes}`,
    `-X ${VERSION_PKG}.gitMajor=${major}`,
    `-X ${VERSION_PKG}.gitMinor=${minor}`,
    `-X ${VERSION_PKG}.gitTreeState=clean`,
  ].join(' ');
}

export interface KubePaths {
  /** Where setup puts `kube`, its symbolic links and its pin file. */
  binDir: string;
  kube: string;
  pinFile: string;
}

export function kubePaths(paths: StackPaths): KubePaths {
  const binDir = join(paths.toolsDir, `kubernetes-${KUBE_PINS.kubernetes}`, 'bin');
  return { binDir, kube: join(binDir, 'kube'), pinFile: join(binDir, '.kube.pin') };
}

export function kubeProgram(paths: StackPaths, program: KubeProgram): string {
  return join(kubePaths(paths).binDir, program);
}

/**
 * What `kube` is built from: the module's files and the linker flags. Setup rebuilds when this
 * changes, and skips the build when the pin file beside the binary says the same.
 */
export function kubeBuildPin(): string {
  const h = createHash('sha256');
  for (const file of ['go.mod', 'go.sum', 'main.go']) h.update(readFileSync(join(KUBE_MODULE_DIR, file)));
  h.update(kubeLdflags());
  return `kubernetes ${KUBE_PINS.kubernetes} + etcd ${KUBE_PINS.etcd} (${h.digest('hex').slice(0, 12)})`;
}
