/**
 * Every environment variable Tidemark reads, in one place. Values are read only at the edges
 * (worker entry point, CLI, stack scripts), never inside workflow code.
 */
export const ENV = {
  /** Temporal frontend, host:port. */
  temporalAddress: 'TEMPORAL_ADDRESS',
  temporalNamespace: 'TEMPORAL_NAMESPACE',
  /** Base URL of the Temporal Web UI, used to build links. */
  temporalUiUrl: 'TEMPORAL_UI_URL',
  taskQueue: 'TIDEMARK_TASK_QUEUE',
  /** S3 endpoint of MinIO, e.g. http://127.0.0.1:9000. */
  minioEndpoint: 'MINIO_ENDPOINT',
  minioConsoleUrl: 'MINIO_CONSOLE_URL',
  /** MinIO credentials: the same names the MinIO server itself reads. */
  minioAccessKey: 'MINIO_ROOT_USER',
  minioSecretKey: 'MINIO_ROOT_PASSWORD',
  artifactBucket: 'TIDEMARK_BUCKET',
  mlflowTrackingUri: 'MLFLOW_TRACKING_URI',
  mlflowArtifactBucket: 'TIDEMARK_MLFLOW_BUCKET',
  /** Workflows a worker keeps cached in memory (default 1000). */
  maxCachedWorkflows: 'TIDEMARK_MAX_CACHED_WORKFLOWS',
  /** `docker` (default) or `kubernetes`. */
  containerBackend: 'TIDEMARK_CONTAINER_BACKEND',
  dockerSocket: 'DOCKER_SOCKET',
  kubeNamespace: 'TIDEMARK_KUBE_NAMESPACE',
  /** Where the embedded stack keeps its data, logs and pid files (default: <project>/.tidemark). */
  stateDir: 'TIDEMARK_STATE_DIR',
  /** Where setup caches built tools (default: ~/.cache/tidemark). */
  toolsDir: 'TIDEMARK_TOOLS_DIR',
  /** Use this Temporal CLI binary instead of building one. */
  temporalCli: 'TEMPORAL_CLI',
  /** Use this MinIO server binary instead of building one. */
  minioBin: 'MINIO_BIN',
  /** Which topology the embedded stack runs: `dev` (the Temporal CLI's dev server, default) or `production`. */
  stackProfile: 'TIDEMARK_STACK_PROFILE',
  /** The production profile's PostgreSQL port on 127.0.0.1 (default 55432). */
  postgresPort: 'TIDEMARK_POSTGRES_PORT',
  /** The production profile's PostgreSQL password (default: a dev secret, like MinIO's). */
  postgresPassword: 'TIDEMARK_POSTGRES_PASSWORD',
  /** Leave a stack that the test run started running after the tests. */
  keepStack: 'TIDEMARK_KEEP_STACK',
  logLevel: 'TIDEMARK_LOG_LEVEL',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
