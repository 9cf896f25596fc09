import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import type { TidemarkConfig } from '../../common/config.js';
import { ENV, type EnvName } from '../../common/env.js';
import { readEnv } from '../../lib/config/resolve-config.js';
import { PINS, PROJECT_ROOT, type StackPaths } from '../stack/paths.js';
import { DockerEngine } from '../stack/services/dockerd.js';
import { locateTools, onPath } from '../stack/tools.js';
import { browserAndPrometheusStage, consoleWebStage } from './console-stages.js';
import { kubernetesLane } from './kubernetes-stages.js';
import { haproxyStage } from './serving-stages.js';
import { aptInstall, type SetupStage } from './stage.js';

/** Image names and their content tags. */
export const IMAGES = {
  busybox: 'tidemark/busybox',
  pythonMl: 'tidemark/python-ml',
} as const;

function goInstallStage(
  name: string,
  binary: 'temporal' | 'minio',
  module: string,
  version: string,
  envOverride: EnvName,
  paths: StackPaths,
): SetupStage {
  const pinFile = join(paths.binDir, `.${binary}.pin`);
  const pin = `${module}@${version}`;
  return {
    name,
    fix: `Check that Go (>= 1.24) is installed and the Go module proxy answers, or set ${envOverride} to an existing ${binary} binary.`,
    async done() {
      const override = readEnv(process.env, envOverride);
      if (override) return `using $${envOverride}=${override}`;
      if (existsSync(join(paths.binDir, binary)) && existsSync(pinFile) && readFileSync(pinFile, 'utf8').trim() === pin)
        return `built ${pin}`;
      const found = onPath(binary);
      if (found) return `found ${found} on PATH`;
      return undefined;
    },
    async run(ctx) {
      if (!onPath('go')) throw new Error('Go is not installed');
      await ctx.exec('go', ['install', pin], {
        env: { GOBIN: paths.binDir, GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' },
        cwd: paths.toolsDir,
      });
      writeFileSync(pinFile, `${pin}\n`);
    },
  };
}

function mlflowStage(paths: StackPaths): SetupStage {
  const mlflow = join(paths.mlflowVenv, 'bin', 'mlflow');
  return {
    name: 'mlflow',
    fix: 'Check that python3 with its venv module is installed and PyPI answers; then run `npm run setup` again.',
    async done() {
      if (!existsSync(mlflow)) return undefined;
      // The installed distribution's metadata folder says the version, without importing mlflow (seconds).
      const lib = join(paths.mlflowVenv, 'lib');
      const site = existsSync(lib) ? readdirSync(lib).map((py) => join(lib, py, 'site-packages')) : [];
      const installed = site.some((dir) => existsSync(join(dir, `mlflow-${PINS.mlflowVersion}.dist-info`)));
      return installed ? `mlflow ${PINS.mlflowVersion} in ${paths.mlflowVenv}` : undefined;
    },
    async run(ctx) {
      await ctx.exec('python3', ['-m', 'venv', '--clear', paths.mlflowVenv]);
      await ctx.exec(join(paths.mlflowVenv, 'bin', 'pip'), [
        'install',
        '--disable-pip-version-check',
        `mlflow==${PINS.mlflowVersion}`,
        `boto3==${PINS.boto3Version}`,
      ]);
    },
  };
}

function dockerStage(config: TidemarkConfig, paths: StackPaths): SetupStage {
  return {
    name: 'docker',
    fix: 'Install Docker (Debian: `apt-get install docker.io`) and start dockerd, or run setup as root so it can do both.',
    async done() {
      const engine = new DockerEngine(config, paths, locateTools().dockerd);
      return (await engine.healthy()) ? 'a Docker daemon answers' : undefined;
    },
    async run(ctx) {
      if (!locateTools().dockerd) await aptInstall(ctx, ['docker.io']);
      await new DockerEngine(config, paths, locateTools().dockerd).start();
    },
  };
}

function contentTag(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 12);
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

function imageStage(
  name: string,
  docker: Docker,
  image: string,
  tag: () => string,
  build: (ctx: Parameters<SetupStage['run']>[0], ref: () => string) => Promise<void>,
  fix: string,
): SetupStage {
  return {
    name,
    fix,
    async done() {
      const ref = `${image}:${tag()}`;
      if (!(await imageExists(docker, ref))) return undefined;
      await docker.getImage(ref).tag({ repo: image, tag: 'latest' });
      return `${ref} exists`;
    },
    async run(ctx) {
      const ref = () => `${image}:${tag()}`;
      await build(ctx, ref);
      await docker.getImage(ref()).tag({ repo: image, tag: 'latest' });
    },
  };
}

const IMAGES_DIR = join(PROJECT_ROOT, 'scripts', 'images');

export function busyboxTag(): string {
  return contentTag(readFileSync('/bin/busybox'), readFileSync(join(IMAGES_DIR, 'build-busybox.sh')));
}

/** Local CA certificates that build-rootfs.sh copies into the image. */
function localCaCertificates(): Buffer[] {
  const dir = '/usr/local/share/ca-certificates';
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

export function pythonMlTag(): string {
  return contentTag(
    readFileSync(join(IMAGES_DIR, 'python-ml.packages')),
    readFileSync(join(IMAGES_DIR, 'build-rootfs.sh')),
    ...localCaCertificates(),
  );
}

/** The stages of `npm run setup`, in lanes that run side by side (a lane runs its stages in order). */
export function setupLanes(config: TidemarkConfig, paths: StackPaths): SetupStage[][] {
  const docker = new Docker({ socketPath: config.containers.dockerSocket });
  const busyboxReady = async (ctx: Parameters<SetupStage['run']>[0]) => {
    const isStatic =
      existsSync('/bin/busybox') &&
      (await execa('file', ['-L', '/bin/busybox'], { reject: false })).stdout.includes('statically linked');
    if (!isStatic) await aptInstall(ctx, ['busybox-static', 'file']);
  };
  return [
    [
      goInstallStage(
        'temporal-cli',
        'temporal',
        PINS.temporalCliModule,
        PINS.temporalCliVersion,
        ENV.temporalCli,
        paths,
      ),
      goInstallStage('minio', 'minio', PINS.minioModule, PINS.minioVersion, ENV.minioBin, paths),
    ],
    [mlflowStage(paths)],
    [consoleWebStage()],
    [browserAndPrometheusStage(), haproxyStage()],
    [
      dockerStage(config, paths),
      imageStage(
        'image-busybox',
        docker,
        IMAGES.busybox,
        () => (existsSync('/bin/busybox') ? busyboxTag() : 'none'),
        async (ctx, ref) => {
          await busyboxReady(ctx);
          await ctx.exec('bash', [join(IMAGES_DIR, 'build-busybox.sh'), '/bin/busybox', ref()]);
        },
        "Needs Debian's busybox-static and a running Docker daemon; see the log.",
      ),
      imageStage(
        'image-python-ml',
        docker,
        IMAGES.pythonMl,
        pythonMlTag,
        async (ctx, ref) => {
          if (!onPath('debootstrap') && !existsSync('/usr/sbin/debootstrap')) await aptInstall(ctx, ['debootstrap']);
          await ctx.exec(
            'bash',
            [
              join(IMAGES_DIR, 'build-rootfs.sh'),
              join(IMAGES_DIR, 'python-ml.packages'),
              ref(),
              join(paths.toolsDir, 'images', 'python-ml'),
            ],
            { env: { PATH: `${process.env.PATH}:/usr/sbin:/sbin` } },
          );
        },
        'debootstrap needs root and the Debian mirror; see the log. Delete ~/.cache/tidemark/images/python-ml to start the root file system afresh.',
      ),
    ],
    kubernetesLane(config, paths),
  ];
}
