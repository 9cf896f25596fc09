import { z } from 'zod';

/**
 * The one typed config object of Tidemark. Every field has a dev default that matches the
 * embedded stack (`npm run stack`) and `compose/docker-compose.yml`.
 */
export const DEV_DEFAULTS = {
  temporalAddress: '127.0.0.1:7233',
  temporalNamespace: 'default',
  temporalUiUrl: 'http://127.0.0.1:8233',
  taskQueue: 'tidemark',
  minioEndpoint: 'http://127.0.0.1:9000',
  minioConsoleUrl: 'http://127.0.0.1:9001',
  minioAccessKey: 'tidemark',
  minioSecretKey: 'tidemark-dev-secret',
  artifactBucket: 'tidemark',
  mlflowTrackingUri: 'http://127.0.0.1:5000',
  mlflowArtifactBucket: 'mlflow',
  dockerSocket: '/var/run/docker.sock',
  kubeNamespace: 'default',
  maxCachedWorkflows: 1000,
  servingPorts: { from: 30000, to: 30999 },
} as const;

const url = (what: string) =>
  z.string().refine((s) => /^https?:\/\/[^/\s]+/.test(s), {
    message: `${what} must be an http(s) URL such as http://127.0.0.1:9000`,
  });

export const TidemarkConfigSchema = z.object({
  temporal: z
    .object({
      address: z
        .string()
        .regex(/^[^:\s]+:\d+$/, 'Temporal address must be host:port, e.g. 127.0.0.1:7233')
        .default(DEV_DEFAULTS.temporalAddress),
      namespace: z.string().min(1).default(DEV_DEFAULTS.temporalNamespace),
      taskQueue: z.string().min(1).default(DEV_DEFAULTS.taskQueue),
      uiUrl: url('Temporal UI URL').default(DEV_DEFAULTS.temporalUiUrl),
    })
    .prefault({}),
  minio: z
    .object({
      endpoint: url('MinIO endpoint').default(DEV_DEFAULTS.minioEndpoint),
      consoleUrl: url('MinIO console URL').default(DEV_DEFAULTS.minioConsoleUrl),
      accessKey: z.string().min(3, 'MinIO access key needs at least 3 characters').default(DEV_DEFAULTS.minioAccessKey),
      secretKey: z.string().min(8, 'MinIO secret key needs at least 8 characters').default(DEV_DEFAULTS.minioSecretKey),
      bucket: z
        .string()
        .regex(
          /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
          'bucket names are 3-63 lowercase letters, digits, dots and hyphens',
        )
        .default(DEV_DEFAULTS.artifactBucket),
    })
    .prefault({}),
  mlflow: z
    .object({
      trackingUri: url('MLflow tracking URI').default(DEV_DEFAULTS.mlflowTrackingUri),
      artifactBucket: z.string().min(3).default(DEV_DEFAULTS.mlflowArtifactBucket),
    })
    .prefault({}),
  worker: z
    .object({
      /**
       * Workflows a worker keeps in memory between tasks (Temporal's sticky cache). An evicted
       * workflow is replayed from its history on its next task. Each cached workflow costs memory,
       * so a worker serving thousands of long-waiting labeling sessions keeps only the recent ones.
       */
      maxCachedWorkflows: z.coerce
        .number()
        .int('maxCachedWorkflows is a whole number')
        .min(0)
        .default(DEV_DEFAULTS.maxCachedWorkflows),
    })
    .prefault({}),
  state: z
    .object({
      /** Local state: step folders, scratch files, the embedded stack's data. Relative paths are resolved against the working directory. */
      dir: z.string().min(1).default('.tidemark'),
      /** Generated workflow bundle entries (default `<dir>/bundles`). */
      bundleDir: z.string().min(1).optional(),
    })
    .prefault({}),
  serving: z
    .object({
      /** Loopback ports leased to model servers, proxies and samplers: `from-to`. */
      ports: z
        .union([
          z.string().transform((s, ctx) => {
            const m = /^(\d+)-(\d+)$/.exec(s.trim());
            if (!m) {
              ctx.addIssue({ code: 'custom', message: `serving ports "${s}" must be a range such as 30000-30999` });
              return z.NEVER;
            }
            return { from: Number(m[1]), to: Number(m[2]) };
          }),
          z.object({ from: z.number().int(), to: z.number().int() }),
        ])
        .default(DEV_DEFAULTS.servingPorts)
        .refine((r) => r.from >= 1024 && r.to <= 65535 && r.to - r.from >= 8, {
          message: 'serving ports must lie within 1024-65535 and span at least 9 ports',
        }),
    })
    .prefault({}),
  containers: z
    .object({
      backend: z.enum(['docker', 'kubernetes']).default('docker'),
      dockerSocket: z.string().min(1).default(DEV_DEFAULTS.dockerSocket),
      kubeNamespace: z.string().min(1).default(DEV_DEFAULTS.kubeNamespace),
    })
    .prefault({}),
});

/** What users pass (every field optional). */
export type TidemarkConfigInput = z.input<typeof TidemarkConfigSchema>;
/** The resolved config, every field set. */
export type TidemarkConfig = Omit<z.output<typeof TidemarkConfigSchema>, 'state'> & {
  /** Absolute folders (resolveConfig makes them so). */
  state: { dir: string; bundleDir: string };
};

/** The part of the config that is safe to show and to put in workflow history: no secrets. */
export function publicConfig(
  config: TidemarkConfig,
): Omit<TidemarkConfig, 'minio'> & { minio: Omit<TidemarkConfig['minio'], 'secretKey'> } {
  const { secretKey: _secret, ...minio } = config.minio;
  return { ...config, minio };
}
