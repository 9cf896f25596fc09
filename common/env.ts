/**
 * Every environment variable Tidemark reads, in one place, each with what it sets. Values are
 * read only at the edges (worker entry point, CLI, stack scripts), never inside workflow code.
 * Tidemark's own variables are TIDEMARK_*; where a standard name exists (Temporal's client
 * variables, the S3/AWS conventions, MLflow's), that name is used. docs/configuration.md lists
 * them in one table (a unit test keeps the two in step).
 */
export const ENV = {
  /** Temporal frontend, host:port (Temporal's own client variable). */
  temporalAddress: 'TEMPORAL_ADDRESS',
  /** Temporal namespace (Temporal's own client variable). */
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  /** Base URL of the Temporal Web UI, used to build links. */
  temporalUiUrl: 'TIDEMARK_TEMPORAL_UI_URL',
  /** Task queue of Tidemark's workers. */
  taskQueue: 'TIDEMARK_TASK_QUEUE',
  /** S3 endpoint of the artifact store (MinIO), e.g. http://127.0.0.1:9000 (the AWS SDKs' name). */
  s3Endpoint: 'AWS_ENDPOINT_URL_S3',
  /** Access key the worker and the CLI authenticate to the artifact store with. */
  s3AccessKey: 'AWS_ACCESS_KEY_ID',
  /** Secret key the worker and the CLI authenticate to the artifact store with. */
  s3SecretKey: 'AWS_SECRET_ACCESS_KEY',
  /** MinIO console URL, used to build links. */
  minioConsoleUrl: 'TIDEMARK_MINIO_CONSOLE_URL',
  /** Bucket of Tidemark's content-addressed artifacts. */
  artifactBucket: 'TIDEMARK_BUCKET',
  /** MLflow tracking server (MLflow's own variable). */
  mlflowTrackingUri: 'MLFLOW_TRACKING_URI',
  /** User the worker and the CLI authenticate to MLflow as (MLflow's own variable; basic auth). */
  mlflowUsername: 'MLFLOW_TRACKING_USERNAME',
  /** Password the worker and the CLI authenticate to MLflow with (MLflow's own variable). */
  mlflowPassword: 'MLFLOW_TRACKING_PASSWORD',
  /** Bucket that holds MLflow's artifact root. */
  mlflowArtifactBucket: 'TIDEMARK_MLFLOW_BUCKET',
  /** Workflows a worker keeps cached in memory (default 1000). */
  maxCachedWorkflows: 'TIDEMARK_MAX_CACHED_WORKFLOWS',
  /** `docker` (default) or `kubernetes`. */
  containerBackend: 'TIDEMARK_CONTAINER_BACKEND',
  /** Docker engine address, `unix:///var/run/docker.sock` (Docker's own variable; only unix sockets). */
  dockerHost: 'DOCKER_HOST',
  /** Loopback port range for model servers, proxies and samplers, `from-to` (default 30000-30999). */
  servingPorts: 'TIDEMARK_SERVING_PORTS',
  /** Kubernetes namespace of step Jobs. */
  kubeNamespace: 'TIDEMARK_KUBE_NAMESPACE',
  /** Kubeconfig of the cluster that runs step Jobs (default: KUBECONFIG, ~/.kube/config, or in-cluster). */
  kubeconfig: 'TIDEMARK_KUBECONFIG',
  /** Registry the cluster pulls step images from; the worker pushes the images it builds there. */
  registry: 'TIDEMARK_REGISTRY',
  /** `true`: step pods use the node's network (only for a single-node test cluster whose services are on loopback). */
  kubeHostNetwork: 'TIDEMARK_KUBE_HOST_NETWORK',
  /** containerd socket of a single-node cluster without a registry: images are copied into it instead of pushed. */
  kubeNodeContainerd: 'TIDEMARK_KUBE_NODE_CONTAINERD',
  /** The artifact store's S3 endpoint as step pods reach it (default: AWS_ENDPOINT_URL_S3). */
  kubeS3Endpoint: 'TIDEMARK_KUBE_S3_ENDPOINT',
  /** Where Tidemark keeps local state: step folders, scratch files, the embedded stack's data (default ./.tidemark). */
  stateDir: 'TIDEMARK_STATE_DIR',
  /** Where generated workflow bundle entries are written (default <state dir>/bundles). */
  bundleDir: 'TIDEMARK_BUNDLE_DIR',
  /** Comma-separated worker variables a step's `secretEnv` may read, besides TIDEMARK_SECRET_* (default none). */
  stepSecrets: 'TIDEMARK_STEP_SECRETS',
  /** uid:gid that step containers run as unless a step says `runAsRoot: true` (default 65534:65534). */
  stepUser: 'TIDEMARK_STEP_USER',
  /** Processes and threads one step container may have (default 4096). */
  stepPidsLimit: 'TIDEMARK_STEP_PIDS_LIMIT',
  /** Size in MiB of a step's writable in-memory /tmp (default 1024). */
  stepTmpMiB: 'TIDEMARK_STEP_TMP_MIB',
  /** Most CPUs a step may ask for (default: the worker machine's cores). */
  stepMaxCpus: 'TIDEMARK_STEP_MAX_CPUS',
  /** Most memory in MiB a step may ask for (default: the worker machine's memory). */
  stepMaxMemoryMiB: 'TIDEMARK_STEP_MAX_MEMORY_MIB',
  /** Most GPUs a step may ask for (default: no bound). */
  stepMaxGpus: 'TIDEMARK_STEP_MAX_GPUS',
  /** Most steps in one pipeline, nested ones included (default 500). */
  maxStepsPerPipeline: 'TIDEMARK_MAX_STEPS_PER_PIPELINE',
  /** Most items of one `map` (default 1000). */
  maxMapItems: 'TIDEMARK_MAX_MAP_ITEMS',
  /** Where setup caches built tools (default ~/.cache/tidemark). */
  toolsDir: 'TIDEMARK_TOOLS_DIR',
  /** Use this Temporal CLI binary instead of building one. */
  temporalCli: 'TIDEMARK_TEMPORAL_CLI',
  /** Use this MinIO server binary instead of building one. */
  minioBin: 'TIDEMARK_MINIO_BIN',
  /** Which topology the embedded stack runs: `dev` (the Temporal CLI's dev server, default) or `production` (Temporal server on PostgreSQL). */
  stackProfile: 'TIDEMARK_STACK_PROFILE',
  /** The production profile's PostgreSQL port on 127.0.0.1 (default 55432). */
  postgresPort: 'TIDEMARK_POSTGRES_PORT',
  /** The production profile's PostgreSQL password (default: a dev secret, like MinIO's). */
  postgresPassword: 'TIDEMARK_POSTGRES_PASSWORD',
  /** Leave a stack that the test run started running after the tests (`1`). */
  keepStack: 'TIDEMARK_KEEP_STACK',
  /** Log level of workers and the CLI: trace, debug, info (default), warn, error. */
  logLevel: 'TIDEMARK_LOG_LEVEL',
  /** Where the console listens, host:port (default 127.0.0.1:8300; loopback unless you mean otherwise). */
  consoleAddress: 'TIDEMARK_CONSOLE_ADDRESS',
  /** The console's URL as people open it, for links from the Temporal UI (default http://<console address>). */
  consoleUrl: 'TIDEMARK_CONSOLE_URL',
  /** Where a worker serves Prometheus metrics, host:port (default 127.0.0.1:9464), or `off`. */
  metricsAddress: 'TIDEMARK_METRICS_ADDRESS',
  /** The Prometheus server the console charts from and the stack starts (default http://127.0.0.1:9090). */
  prometheusUrl: 'TIDEMARK_PROMETHEUS_URL',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];

/**
 * Names of an earlier release that still work for one more, with a warning naming the new one.
 * `MINIO_ROOT_USER`/`MINIO_ROOT_PASSWORD` are the MinIO server's root credentials (the embedded
 * stack starts MinIO with them); clients authenticate with the S3 names.
 */
export const DEPRECATED_ENV: Readonly<Record<string, EnvName>> = {
  TEMPORAL_UI_URL: ENV.temporalUiUrl,
  MINIO_ENDPOINT: ENV.s3Endpoint,
  MINIO_ROOT_USER: ENV.s3AccessKey,
  MINIO_ROOT_PASSWORD: ENV.s3SecretKey,
  MINIO_CONSOLE_URL: ENV.minioConsoleUrl,
  DOCKER_SOCKET: ENV.dockerHost,
  TEMPORAL_CLI: ENV.temporalCli,
  MINIO_BIN: ENV.minioBin,
};
