import { DEV_DEFAULTS, type TidemarkConfig } from '../../common/config.js';
import type { ContainerSpec } from './container-backend.js';

/** How tightly a step container is held (from the worker's config: `steps`). */
export interface SandboxOptions {
  /** uid:gid the container runs as, unless `runAsRoot`. */
  user: string;
  pidsLimit: number;
  /** Size of the writable in-memory /tmp. */
  tmpMiB: number;
}

export const DEFAULT_SANDBOX: SandboxOptions = {
  user: DEV_DEFAULTS.stepUser,
  pidsLimit: DEV_DEFAULTS.stepPidsLimit,
  tmpMiB: DEV_DEFAULTS.stepTmpMiB,
};

export function sandboxOptions(config: Pick<TidemarkConfig, 'steps'>): SandboxOptions {
  return { user: config.steps.user, pidsLimit: config.steps.pidsLimit, tmpMiB: config.steps.tmpMiB };
}

/**
 * Where programs keep their files when the root file system is read-only and the user has no
 * home: all under the writable /tmp. A step's own `env` overrides any of them.
 */
export const SANDBOX_ENV: Readonly<Record<string, string>> = {
  HOME: '/tmp',
  TMPDIR: '/tmp',
  XDG_CACHE_HOME: '/tmp/.cache',
  XDG_CONFIG_HOME: '/tmp/.config',
  MPLCONFIGDIR: '/tmp/matplotlib',
  PYTHONDONTWRITEBYTECODE: '1',
};

/**
 * A step container as Tidemark runs it: a pids limit, a read-only root file system with a
 * size-limited in-memory /tmp (the mounts, /outputs among them, stay as they are), and a non-root
 * user. `runAsRoot` (a step's explicit opt-out) keeps the image's own user and a writable root
 * file system; the pids limit stays, and every backend keeps capabilities dropped either way.
 */
export function sandboxed(spec: ContainerSpec, opts: SandboxOptions, runAsRoot = false): ContainerSpec {
  return {
    ...spec,
    env: { ...SANDBOX_ENV, ...spec.env },
    pidsLimit: opts.pidsLimit,
    tmpfs: [{ path: '/tmp', sizeMiB: opts.tmpMiB }],
    ...(runAsRoot ? {} : { user: opts.user, readOnlyRootfs: true }),
  };
}
