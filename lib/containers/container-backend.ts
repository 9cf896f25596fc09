/**
 * Where step containers run. One implementation per engine (Docker on one machine, Kubernetes
 * Jobs at scale), chosen once from the config.
 */

export interface BuildSpec {
  /** Folder sent as the build context. */
  context: string;
  /** Dockerfile path relative to the context (default `Dockerfile`). */
  dockerfile?: string;
  args?: Record<string, string>;
  /** Image repository; the tag is derived from the context's content. */
  repository: string;
  /** Network for RUN instructions: `none` (default) or `host` to reach package registries. */
  network?: 'none' | 'host';
}

export interface BuildResult {
  /** repository:tag */
  image: string;
  /** The image id (sha256:…), stable for the same content. */
  digest: string;
  /** True when an image with this content tag already existed and nothing was built. */
  cached: boolean;
}

export interface Mount {
  hostPath: string;
  containerPath: string;
  readOnly: boolean;
}

export interface ContainerSpec {
  /** Deterministic name: a retry finds the same container instead of starting a second one. */
  name: string;
  image: string;
  /** Replaces the image's entrypoint when set. */
  command?: string[];
  args?: string[];
  env: Record<string, string>;
  mounts: Mount[];
  cpus?: number;
  memoryMiB?: number;
  gpus?: number;
  network: 'none' | 'host';
  labels: Record<string, string>;
  /** How long the step may run; a cluster backend makes it the Job's deadline (the activity stops it either way). */
  timeoutMs?: number;
  /**
   * Set by a staging that moves the step's bytes inside its pod (KubernetesStaging): what the pod's
   * I/O helper is told (TIDEMARK_STEP_IO). Absent on a retry that finds its Job already there.
   */
  io?: string;
  /** uid[:gid] to run as; the image's own user when unset. */
  user?: string;
  /** Mount the image's file system read-only (the mounts and tmpfs folders stay writable). */
  readOnlyRootfs?: boolean;
  /** Writable in-memory folders, each of at most `sizeMiB`. */
  tmpfs?: { path: string; sizeMiB: number }[];
  /** Most processes and threads the container may have. */
  pidsLimit?: number;
}

export interface StartedContainer {
  name: string;
  /** True when a container of that name already existed (a retry after a worker crash). */
  reattached: boolean;
}

export interface ContainerBackend {
  /** Builds an image from a context folder, or finds the one built from the same content. */
  build(spec: BuildSpec, onLine: (line: string) => void): Promise<BuildResult>;
  /** The image's id; throws ImageMissingError when there is no such image. */
  imageDigest(image: string): Promise<string>;
  /** True when a container of that name exists (running or exited). */
  exists(name: string): Promise<boolean>;
  /** Creates and starts the container, or returns the existing container of the same name. */
  run(spec: ContainerSpec): Promise<StartedContainer>;
  /** Streams the container's whole log (from its start) until it exits; returns the exit code. */
  attach(name: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<number>;
  /** Stops and removes the container; does nothing if there is none. */
  stop(name: string): Promise<void>;
  /** Names of the containers carrying all these labels: running or not, or only those that have exited. */
  list(labels: Record<string, string>, opts?: { exitedOnly?: boolean }): Promise<string[]>;
}
