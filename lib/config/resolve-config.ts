import { isAbsolute, join, resolve } from 'node:path';
import { TidemarkConfigSchema, type TidemarkConfig, type TidemarkConfigInput } from '../../common/config.js';
import { DEPRECATED_ENV, ENV, type EnvName } from '../../common/env.js';
import { userErrors } from '../../common/zod-messages.js';

/** Thrown when the config (from code or environment) is invalid; lists every problem. */
export class ConfigError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function pruned<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;
}

const warned = new Set<string>();

/** The value of `name`, or of the older name it replaced (with a warning, once per process). */
export function readEnv(env: NodeJS.ProcessEnv, name: EnvName): string | undefined {
  const value = env[name];
  if (value !== undefined && value !== '') return value;
  for (const [old, replacement] of Object.entries(DEPRECATED_ENV)) {
    if (replacement !== name || env[old] === undefined || env[old] === '') continue;
    if (!warned.has(old)) {
      warned.add(old);
      process.emitWarning(`${old} is deprecated and will stop working in the next release; set ${name} instead.`, {
        type: 'DeprecationWarning',
        code: 'TIDEMARK_DEPRECATED_ENV',
      });
    }
    return env[old];
  }
  return undefined;
}

/** A Docker socket path from DOCKER_HOST (`unix:///var/run/docker.sock`) or a bare path. */
function dockerSocket(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  if (host.startsWith('/')) return host;
  throw new ConfigError(
    `${ENV.dockerHost}=${host}: only a local unix socket is supported (unix:///var/run/docker.sock).`,
  );
}

/** The config input that the environment describes; unset variables are left out. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): TidemarkConfigInput {
  const get = (name: EnvName) => readEnv(env, name);
  return {
    temporal: pruned({
      address: get(ENV.temporalAddress),
      namespace: get(ENV.temporalNamespace),
      taskQueue: get(ENV.taskQueue),
      uiUrl: get(ENV.temporalUiUrl),
    }),
    minio: pruned({
      endpoint: get(ENV.s3Endpoint),
      consoleUrl: get(ENV.minioConsoleUrl),
      accessKey: get(ENV.s3AccessKey),
      secretKey: get(ENV.s3SecretKey),
      bucket: get(ENV.artifactBucket),
    }),
    mlflow: pruned({
      trackingUri: get(ENV.mlflowTrackingUri),
      username: get(ENV.mlflowUsername),
      password: get(ENV.mlflowPassword),
      artifactBucket: get(ENV.mlflowArtifactBucket),
    }),
    worker: pruned({ maxCachedWorkflows: get(ENV.maxCachedWorkflows) }),
    console: pruned({ address: get(ENV.consoleAddress), url: get(ENV.consoleUrl) }),
    metrics: pruned({ address: get(ENV.metricsAddress) }),
    prometheus: pruned({ url: get(ENV.prometheusUrl) }),
    state: pruned({ dir: get(ENV.stateDir), bundleDir: get(ENV.bundleDir) }),
    steps: pruned({
      secrets: get(ENV.stepSecrets),
      user: get(ENV.stepUser),
      pidsLimit: get(ENV.stepPidsLimit),
      tmpMiB: get(ENV.stepTmpMiB),
      maxCpus: get(ENV.stepMaxCpus),
      maxMemoryMiB: get(ENV.stepMaxMemoryMiB),
      maxGpus: get(ENV.stepMaxGpus),
      maxPerPipeline: get(ENV.maxStepsPerPipeline),
      maxMapItems: get(ENV.maxMapItems),
    }) as TidemarkConfigInput['steps'],
    serving: pruned({ ports: get(ENV.servingPorts) }),
    containers: pruned({
      backend: get(ENV.containerBackend) as 'docker' | 'kubernetes' | undefined,
      dockerSocket: dockerSocket(get(ENV.dockerHost)),
      kubeNamespace: get(ENV.kubeNamespace),
      kubernetes: pruned({
        kubeconfig: get(ENV.kubeconfig),
        registry: get(ENV.registry),
        hostNetwork: get(ENV.kubeHostNetwork),
        nodeContainerd: get(ENV.kubeNodeContainerd),
        s3Endpoint: get(ENV.kubeS3Endpoint),
      }),
    }),
  };
}

/**
 * Resolves the config: explicit values win over environment variables, which win over the dev
 * defaults. Relative state folders are made absolute against `cwd`. Throws a ConfigError naming
 * every bad field and the variable that sets it.
 */
export function resolveConfig(
  input: TidemarkConfigInput = {},
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): TidemarkConfig {
  const fromEnv = configFromEnv(env);
  const merged = {
    temporal: { ...fromEnv.temporal, ...input.temporal },
    minio: { ...fromEnv.minio, ...input.minio },
    mlflow: { ...fromEnv.mlflow, ...input.mlflow },
    worker: { ...fromEnv.worker, ...input.worker },
    console: { ...fromEnv.console, ...input.console },
    metrics: { ...fromEnv.metrics, ...input.metrics },
    prometheus: { ...fromEnv.prometheus, ...input.prometheus },
    state: { ...fromEnv.state, ...input.state },
    steps: { ...fromEnv.steps, ...input.steps },
    containers: {
      ...fromEnv.containers,
      ...input.containers,
      kubernetes: { ...fromEnv.containers?.kubernetes, ...input.containers?.kubernetes },
    },
    serving: { ...fromEnv.serving, ...input.serving },
  };
  const parsed = TidemarkConfigSchema.safeParse(merged, { error: userErrors });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(
      `Invalid Tidemark config:\n${problems.join('\n')}\nFix the values passed in code, or the environment variables (see docs/configuration.md).`,
    );
  }
  const config = parsed.data;
  const dir = isAbsolute(config.state.dir) ? config.state.dir : resolve(cwd, config.state.dir);
  const bundleDir = config.state.bundleDir ? resolve(cwd, config.state.bundleDir) : join(dir, 'bundles');
  const consoleUrl = (config.console.url ?? `http://${config.console.address}`).replace(/\/$/, '');
  return { ...config, state: { dir, bundleDir }, console: { ...config.console, url: consoleUrl } };
}
