/**
 * In-memory stand-ins for unit tests: an ArtifactStore, a ContainerBackend and a StepStaging that
 * keep everything in maps, behind the same interfaces the worker wires to MinIO, Docker and host
 * folders. Integration tests use the real services (test/helpers/integration.ts); these exist so
 * that activity logic fails in seconds.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@temporalio/common';
import pino from 'pino';
import type { ArtifactRef } from '../../common/artifact.js';
import type { TidemarkDeps } from '../../activities/deps.js';
import { DeferredCleanup } from '../../activities/steps/deferred-cleanup.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import type {
  BuildResult,
  ContainerBackend,
  ContainerSpec,
  StartedContainer,
} from '../../lib/containers/container-backend.js';
import { ImageMissingError } from '../../lib/containers/errors.js';
import type { StagedOutputs, StepStaging } from '../../lib/containers/step-staging.js';
import type { MlflowClient } from '../../lib/mlflow/mlflow-client.js';

/** Content-addressed bytes and index documents in maps. */
export class MemoryArtifactStore implements ArtifactStore {
  readonly blobs = new Map<string, Buffer>();
  readonly index = new Map<string, string>();

  private async keep(bytes: Buffer, name: string): Promise<ArtifactRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    this.blobs.set(sha256, bytes);
    return { uri: `memory://${sha256}`, sha256, size: bytes.length, name, kind: 'file' };
  }

  async put(path: string, name: string): Promise<ArtifactRef> {
    return this.keep(await readFile(path), name);
  }

  putBytes(bytes: Uint8Array | string, name: string): Promise<ArtifactRef> {
    return this.keep(Buffer.from(bytes), name);
  }

  async get(ref: ArtifactRef, dest: string): Promise<void> {
    await writeFile(dest, await this.getBytes(ref));
  }

  async getBytes(ref: ArtifactRef): Promise<Buffer> {
    const bytes = this.blobs.get(ref.sha256);
    if (!bytes) throw new Error(`no artifact ${ref.sha256}`);
    return bytes;
  }

  async exists(ref: ArtifactRef): Promise<boolean> {
    return this.blobs.has(ref.sha256);
  }

  async presign(ref: ArtifactRef): Promise<string> {
    return ref.uri;
  }

  async copyTo(): Promise<void> {}

  async readIndex<T>(key: string): Promise<T | undefined> {
    const text = this.index.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async writeIndex(key: string, value: unknown): Promise<void> {
    this.index.set(key, JSON.stringify(value));
  }
}

/** How a fake container behaves once attached: the lines it prints, then its exit code, or never exiting. */
export interface ScriptedContainer {
  lines?: string[];
  /** Milliseconds between the start and the exit. */
  runsForMs?: number;
  exitCode?: number;
  /** Runs until stopped (or until the attach is aborted). */
  hangs?: boolean;
}

/** Containers as records: what was run, attached and stopped, with each run's behaviour scripted. */
export class MemoryContainerBackend implements ContainerBackend {
  readonly images = new Map<string, string>([['tidemark/busybox:latest', 'sha256:busybox']]);
  readonly containers = new Map<string, { spec: ContainerSpec; exited: boolean }>();
  readonly started: ContainerSpec[] = [];
  readonly stopped: string[] = [];
  /** The behaviour of the next containers; the last one repeats. */
  script: ScriptedContainer = { exitCode: 0 };

  async build(): Promise<BuildResult> {
    throw new Error('MemoryContainerBackend does not build images');
  }

  async imageDigest(image: string): Promise<string> {
    const digest = this.images.get(image);
    if (!digest) throw new ImageMissingError(`image ${image} does not exist`);
    return digest;
  }

  async exists(name: string): Promise<boolean> {
    return this.containers.has(name);
  }

  async run(spec: ContainerSpec): Promise<StartedContainer> {
    const reattached = this.containers.has(spec.name);
    if (!reattached) {
      this.containers.set(spec.name, { spec, exited: false });
      this.started.push(spec);
    }
    return { name: spec.name, reattached };
  }

  async attach(name: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<number> {
    const { lines = [], runsForMs = 0, exitCode = 0, hangs = false } = this.script;
    for (const line of lines) onLine(line);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = hangs ? undefined : setTimeout(done, runsForMs);
      signal?.addEventListener('abort', done, { once: true });
    });
    const container = this.containers.get(name);
    if (container) container.exited = true;
    return exitCode;
  }

  async stop(name: string): Promise<void> {
    this.stopped.push(name);
    this.containers.delete(name);
  }

  async list(labels: Record<string, string>, opts: { exitedOnly?: boolean } = {}): Promise<string[]> {
    return [...this.containers.entries()]
      .filter(([, c]) => Object.entries(labels).every(([k, v]) => c.spec.labels[k] === v))
      .filter(([, c]) => !opts.exitedOnly || c.exited)
      .map(([name]) => name);
  }
}

/**
 * Staging in maps: what each attempt was given, and the outputs a step "writes" (set by the
 * test in `outputs`, by output name). Logs go to real files in `logDir`, as the activity streams
 * them with a file stream.
 */
export class MemoryStepStaging implements StepStaging {
  readonly prepared = new Map<string, { inputs: Record<string, ArtifactRef | ArtifactRef[]>; params: unknown }>();
  readonly removed: string[] = [];
  /** What the container leaves in /outputs, by output name, and its metrics. */
  outputs: Record<string, string> = {};
  metrics: Record<string, number> = {};

  constructor(
    private readonly store: ArtifactStore,
    private readonly logDir: () => string,
  ) {}

  async prepare(name: string, inputs: Record<string, ArtifactRef | ArtifactRef[]>, params: Record<string, unknown>) {
    this.prepared.set(name, { inputs, params });
  }

  attach(_name: string, spec: ContainerSpec): ContainerSpec {
    return spec;
  }

  logFile(name: string): string {
    return join(this.logDir(), `${name}.log`);
  }

  async collect(_name: string, outputs: Record<string, string>): Promise<StagedOutputs> {
    const refs: StagedOutputs['outputs'] = {};
    for (const out of Object.keys(outputs)) refs[out] = await this.store.putBytes(this.outputs[out] ?? '', out);
    return { outputs: refs, metrics: this.metrics };
  }

  async remove(name: string): Promise<void> {
    this.removed.push(name);
  }

  async staged(): Promise<string[]> {
    return [...this.prepared.keys()].filter((name) => !this.removed.includes(name));
  }
}

/** A Temporal logger that drops everything (activity environments log expected failures loudly). */
export const silentLogger: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/** Activity dependencies over the in-memory fakes; `logDir` is a temp folder for step logs. */
export function memoryDeps(logDir: () => string): TidemarkDeps & {
  store: MemoryArtifactStore;
  containers: MemoryContainerBackend;
  staging: MemoryStepStaging;
} {
  const store = new MemoryArtifactStore();
  const logger = pino({ level: 'silent' });
  return {
    config: resolveConfig(),
    store,
    containers: new MemoryContainerBackend(),
    staging: new MemoryStepStaging(store, logDir),
    mlflow: {} as MlflowClient,
    logger,
    workDir: logDir(),
    cleanup: new DeferredCleanup(logger),
    serving: {} as TidemarkDeps['serving'], // the step activity never serves
  };
}
