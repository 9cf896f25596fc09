
import { TidemarkConfigSchema, type TidemarkConfig, type TidemarkConfigInput } from '../common/config';
import { ENV } from '../common/env';

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

/** The config input that the environment describes; unset variables are left out. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): TidemarkConfigInput {
  return {
    temporal: pruned({ address: env[ENV.temporalAddress], namespace: env[ENV.temporalNamespace], taskQueue: env[ENV.taskQueue], uiUrl: env[ENV.temporalUiUrl] }),
    minio: pruned({ endpoint: env[ENV.minioEndpoint], consoleUrl: env[ENV.minioConsoleUrl], accessKey: env[ENV.minioAccessKey], secretKey: env[ENV.minioSecretKey], bucket: env[ENV.artifactBucket] }),
    mlflow: pruned({ trackingUri: env[ENV.mlflowTrackingUri], artifactBucket: env[ENV.mlflowArtifactBucket] }),
    worker: pruned({ maxCachedWorkflows: env[ENV.maxCachedWorkflows] }),
    containers: pruned({
      backend: env[ENV.containerBackend] as 'docker' | 'kubernetes' | undefined,
      dockerSocket: env[ENV.dockerSocket],
      kubeNamespace: env[ENV.kubeNamespace],
    }),
  };
}

/**
 * Resolves the config: explicit values win over environment variables, which win over the dev
 * defaults. Throws a ConfigError naming every bad field and the variable that sets it.
 */
export function resolveConfig(input: TidemarkConfigInput = {}, env: NodeJS.ProcessEnv = process.env): TidemarkConfig {
  const fromEnv = configFromEnv(env);
  const merged = {
    temporal: { ...fromEnv.temporal, ...input.temporal },
    minio: { ...fromEnv.minio, ...input.minio },
    mlflow: { ...fromEnv.mlflow, ...input.mlflow },
    worker: { ...fromEnv.worker, ...input.worker },
    containers: { ...fromEnv.containers, ...input.containers },
  };
  const parsed = TidemarkConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid Tidemark config:\n${problems.join('\n')}\nFix the values passed in code, or the environment variables (${Object.values(ENV).slice(0, 12).join(', ')}, …).`);
  }
  return parsed.data;
}

