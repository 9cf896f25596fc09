/**
 * The `kubernetes` lane of `npm run setup`: what the embedded single-node cluster needs. Debian's
 * containerd, runc and CNI plugins; one multi-call binary with kube-apiserver, the controller
 * manager, the scheduler, the kubelet, kubectl and etcd, compiled from their Go modules (pinned);
 * and the pod sandbox image compiled from the Kubernetes source. Each stage is skipped when its
 * pinned result is present.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import type { TidemarkConfig } from '../../common/config.js';
import { STEP_IO_DIR, stepIoImage } from '../../lib/kubernetes/step-io-image.js';
import { waitUntil } from '../stack/daemon.js';
import { PROJECT_ROOT, type StackPaths } from '../stack/paths.js';
import {
  KUBE_MODULE_DIR,
  KUBE_PINS,
  KUBE_PROGRAMS,
  kubeBuildPin,
  kubeLdflags,
  kubePaths,
} from '../stack/kubernetes/kube-tools.js';
import { CLUSTER_IMAGES, pauseImage } from '../stack/kubernetes/cluster-images.js';
import { onPath } from '../stack/tools.js';
import { aptInstall, type SetupStage, type StageContext } from './stage.js';

/** Debian packages the node runs on, and a file each installs. */
const RUNTIME_PACKAGES: Record<string, string> = {
  containerd: '/usr/bin/containerd',
  runc: '/usr/sbin/runc',
  'containernetworking-plugins': '/usr/lib/cni/loopback',
};

function runtimeStage(): SetupStage {
  const missing = () =>
    Object.entries(RUNTIME_PACKAGES)
      .filter(([, file]) => !existsSync(file))
      .map(([pkg]) => pkg);
  return {
    name: 'kube-runtime',
    fix: "Install Debian's containerd, runc and containernetworking-plugins (`apt-get install …`), or run setup as root so it can.",
    async done() {
      return missing().length === 0 ? 'containerd, runc and the CNI plugins are installed' : undefined;
    },
    async run(ctx) {
      await aptInstall(ctx, missing());
    },
  };
}

/** The Kubernetes module's source folder in the Go module cache (downloaded when missing). */
export async function kubernetesSourceDir(): Promise<string> {
  const { stdout } = await execa('go', ['mod', 'download', '-json', `k8s.io/kubernetes@${KUBE_PINS.kubernetes}`], {
    env: { GOWORK: 'off', GOFLAGS: '' },
  });
  return (JSON.parse(stdout) as { Dir: string }).Dir;
}

function buildStage(paths: StackPaths): SetupStage {
  const kube = kubePaths(paths);
  return {
    name: 'kube-build',
    fix: 'Check that Go (>= 1.26) is installed and the Go module proxy answers; the build needs about 5 GB of Go cache and 3 GB of memory. Delete the pin file to force a rebuild.',
    async done() {
      const pin = kubeBuildPin();
      const links = KUBE_PROGRAMS.every((p) => existsSync(join(kube.binDir, p)));
      return existsSync(kube.kube) &&
        links &&
        existsSync(kube.pinFile) &&
        readFileSync(kube.pinFile, 'utf8').trim() === pin
        ? `built ${pin}`
        : undefined;
    },
    async run(ctx) {
      if (!onPath('go')) throw new Error('Go is not installed');
      mkdirSync(kube.binDir, { recursive: true });
      const partial = `${kube.kube}.partial`;
      // One `go build` of one main: every package the six programs share is compiled once, and
      // there is one link instead of six. -trimpath and no symbol tables keep the link short.
      await ctx.exec('nice', ['-n', '10', 'go', 'build', '-trimpath', '-ldflags', kubeLdflags(), '-o', partial, '.'], {
        cwd: KUBE_MODULE_DIR,
        env: { GOWORK: 'off', GOFLAGS: '-mod=readonly -buildvcs=false', CGO_ENABLED: '0' },
      });
      renameSync(partial, kube.kube);
      for (const program of KUBE_PROGRAMS) {
        rmSync(join(kube.binDir, program), { force: true });
        symlinkSync('kube', join(kube.binDir, program));
      }
      writeFileSync(kube.pinFile, `${kubeBuildPin()}\n`);
    },
  };
}

async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  return docker
    .getImage(ref)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

async function dockerAnswers(docker: Docker): Promise<void> {
  await waitUntil(
    "the Docker daemon (started by setup's docker lane)",
    () => docker.ping().then(() => true),
    600_000,
    'See the docker stage above.',
  );
}

/**
 * A stage that builds a content-tagged image with a script, skipped when Docker has the image. These
 * run in this lane but need the Docker daemon that the docker lane starts, so they wait for it.
 */
function imageStage(
  config: TidemarkConfig,
  name: string,
  image: () => string,
  build: (ctx: StageContext) => Promise<void>,
  fix: string,
): SetupStage {
  const docker = new Docker({ socketPath: config.containers.dockerSocket });
  return {
    name,
    fix,
    async done() {
      return (await imageExists(docker, image())) ? `${image()} exists` : undefined;
    },
    async run(ctx: StageContext) {
      await dockerAnswers(docker);
      await build(ctx);
    },
  };
}

/** The stages of the `kubernetes` lane, in order. */ /** The stages of the `kubernetes` lane, in order. */
export function kubernetesLane(config: TidemarkConfig, paths: StackPaths): SetupStage[] {
  return [
    runtimeStage(),
    // The I/O helper that runs in every step pod (lib/kubernetes/step-io).
    imageStage(
      config,
      'kube-step-io',
      stepIoImage,
      (ctx) => ctx.exec('bash', [join(STEP_IO_DIR, 'build.sh'), stepIoImage()]),
      'Needs Go and a running Docker daemon; see the log.',
    ),
    buildStage(paths),
    imageStage(
      config,
      'kube-pause',
      pauseImage,
      async (ctx) =>
        ctx.exec('bash', [
          join(PROJECT_ROOT, CLUSTER_IMAGES.pause.recipe),
          await kubernetesSourceDir(),
          CLUSTER_IMAGES.pause.version,
          pauseImage(),
        ]),
      'Needs gcc with static glibc (Debian: build-essential), the Kubernetes module from the Go proxy and a running Docker daemon; see the log.',
    ),
  ];
}
