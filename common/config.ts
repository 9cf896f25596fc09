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
  consoleAddress: '127.0.0.1:8300',
  metricsAddress: '127.0.0.1:9464',
  prometheusUrl: 'http://127.0.0.1:9090',
  /** The user step containers run as, unless a step asks for root (`runAsRoot: true`): nobody:nogroup. */
  stepUser: '65534:65534',
  stepPidsLimit: 4096,
  stepTmpMiB: 1024,
  maxSteps: 10_000,
  maxMapItems: 100_000,
  servingPorts: { from: 30000, to: 30999 },
} as const;

/** A comma-separated list (from an environment variable), or a list already. */
const nameList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : v,
  z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'secret names are environment variable names')),
);
const bound = (what: string) => z.coerce.number().positive(`${what} must be positive`).optional();
const count = (what: string, dflt: number) =>
  z.coerce.number().int(`${what} is a whole number`).positive(`${what} must be positive`).default(dflt);

const url = (what: string) =>
  z.string().refine((s) => /^https?:\/\/[^/\s]+/.test(s), {
    message: `${what} must be an http(s) URL such as http://127.0.0.1:9000`,
  });

const hostPort = (what: string) =>
  z.string().regex(/^[^:\s/]+:\d{1,5}$/, `${what} must be host:port, e.g. 127.0.0.1:8300`);

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
      /** Basic-auth user and password, when the server asks for them (the embedded stack's does). */
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
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
  console: z
    .object({
      /** Where the console listens (host:port); loopback by default, since it acts on Temporal with the worker's config. */
      address: hostPort('console address').default(DEV_DEFAULTS.consoleAddress),
      /** The console's URL as people open it (links from the Temporal UI); default `http://<address>`. */
      url: url('console URL').optional(),
    })
    .prefault({}),
  metrics: z
    .object({
      /** Where a worker serves Prometheus metrics (host:port), or `off`. */
      address: z.union([z.literal('off'), hostPort('metrics address')]).default(DEV_DEFAULTS.metricsAddress),
    })
    .prefault({}),
  prometheus: z
    .object({
      /** The Prometheus server the console charts worker metrics from (and the stack starts with `--with prometheus`). */
      url: url('Prometheus URL').default(DEV_DEFAULTS.prometheusUrl),
    })
    .prefault({}),
  /**
   * What a step may ask for, decided by whoever runs the worker (a pipeline spec is code other
   * people wrote). Checked by the worker before a pipeline's first step; see docs/security.md.
   */
  steps: z
    .object({
      /** Worker environment variables a step's `secretEnv` may read, besides every TIDEMARK_SECRET_* one. */
      secrets: nameList.default([]),
      /** uid:gid step containers run as unless the step says `runAsRoot: true`. */
      user: z
        .string()
        .regex(/^\d+(:\d+)?$/, 'steps.user is uid or uid:gid, e.g. 65534:65534')
        .default(DEV_DEFAULTS.stepUser),
      /** Processes (and threads) one step container may have. */
      pidsLimit: count('steps.pidsLimit', DEV_DEFAULTS.stepPidsLimit),
      /** Size of the step's writable /tmp (in memory, counted against its memory limit). */
      tmpMiB: count('steps.tmpMiB', DEV_DEFAULTS.stepTmpMiB),
      /** Upper bounds of a step's `resources` (default on Docker: this machine's cores and memory; on Kubernetes and for GPUs: none). */
      maxCpus: bound('steps.maxCpus'),
      maxMemoryMiB: bound('steps.maxMemoryMiB'),
      maxGpus: z.coerce.number().int().nonnegative('steps.maxGpus may not be negative').optional(),
      /** Steps in one pipeline, nested pipelines' steps included. */
      maxPerPipeline: count('steps.maxPerPipeline', DEV_DEFAULTS.maxSteps),
      /** Items of one `map`. */
      maxMapItems: count('steps.maxMapItems', DEV_DEFAULTS.maxMapItems),
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
      /** The Kubernetes backend: where the cluster is, how its pods get images and reach the store. */
      kubernetes: z
        .object({
          /** Kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the pod's service account). */
          kubeconfig: z.string().min(1).optional(),
          /** Registry (`host[:port][/path]`) the cluster pulls step images from; the worker pushes them there. */
          registry: z.string().min(1).optional(),
          /** Pods on the node's network: for a single-node test cluster only, never a shared one. */
          hostNetwork: z.union([z.boolean(), z.stringbool()]).default(false),
          /** containerd socket of a single-node cluster without a registry (the embedded one): images are copied into it. */
          nodeContainerd: z.string().min(1).optional(),
          /** The artifact store as pods reach it (default: minio.endpoint). */
          s3Endpoint: url('Kubernetes S3 endpoint').optional(),
          /** How long a finished Job stays if nothing removes it (the worker removes it once the result is recorded). */
          jobTtlSeconds: z.coerce.number().int().min(0).default(86_400),
        })
        .prefault({}),
    })
    .prefault({}),
});

/** What users pass (every field optional). */
export type TidemarkConfigInput = z.input<typeof TidemarkConfigSchema>;
/** The resolved config, every field set. */
export type TidemarkConfig = Omit<z.output<typeof TidemarkConfigSchema>, 'state' | 'console'> & {
  /** Absolute folders (resolveConfig makes them so). */
  state: { dir: string; bundleDir: string };
  /** The console's address and URL (resolveConfig fills the URL in from the address). */
  console: { address: string; url: string };
};

/** The part of the config that is safe to show and to put in workflow history: no secrets. */
export function publicConfig(config: TidemarkConfig): Omit<TidemarkConfig, 'minio' | 'mlflow'> & {
  minio: Omit<TidemarkConfig['minio'], 'secretKey'>;
  mlflow: Omit<TidemarkConfig['mlflow'], 'password'>;
} {
  const { secretKey: _secret, ...minio } = config.minio;
  const { password: _password, ...mlflow } = config.mlflow;
  return { ...config, minio, mlflow };
}
