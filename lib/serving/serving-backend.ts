/**
 * Where model servers run. One implementation per engine, chosen with the container backend:
 * DockerServingBackend (a container per version on the host network, on a loopback port) and
 * KubernetesServingBackend (a Deployment and a Service per version, the model staged by an init
 * container). The deployment workflow and its activities see only this interface.
 */

export interface ModelServerSpec {
  /** Deterministic (from the deployment and the version): a retry finds the server instead of starting a second one. */
  name: string;
  /** The serving image (MLflow's scoring server on tidemark/python-ml). */
  image: string;
  /** The MLflow Model folder's location (s3://… under MLflow's artifact root); the backend stages it its own way. */
  source: string;
  /** The port the server listens on (loopback on Docker). */
  port: number;
  cpus: number;
  memoryMiB: number;
  /** uvicorn workers of the scoring server. */
  workers: number;
  labels: Record<string, string>;
}

export interface ModelServerState {
  exists: boolean;
  running: boolean;
  /** The last lines of its log, when it has exited (why it died). */
  logTail?: string;
}

export interface ServingBackend {
  /** Stages the model and starts its server, or finds the one already there (started again if it had stopped). */
  start(spec: ModelServerSpec): Promise<{ reattached: boolean }>;
  state(name: string): Promise<ModelServerState>;
  /** The base URL through which the worker and the proxy reach the server. */
  address(spec: Pick<ModelServerSpec, 'name' | 'port'>): string;
  /** Stops and removes the server; nothing happens when there is none. */
  stop(name: string): Promise<void>;
  /** Names of the servers carrying all these labels. */
  list(labels: Record<string, string>): Promise<string[]>;
}
