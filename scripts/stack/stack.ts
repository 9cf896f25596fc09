import { mkdirSync } from 'node:fs';
import type { TidemarkConfig } from '../../common/config';
import { resolveConfig } from '../../workers/config';
import { readPid, stopDaemon } from './daemon';
import { stackPaths, type StackPaths } from './paths';
import { DockerEngine } from './services/dockerd';
import { MinioServer } from './services/minio';
import { MlflowServer } from './services/mlflow';
import type { StackService } from './services/service';
import { TemporalDevServer } from './services/temporal';
import { locateTools } from './tools';

export const SERVICE_NAMES = ['dockerd', 'minio', 'temporal', 'mlflow'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface StackOptions {
  config?: TidemarkConfig;
  paths?: StackPaths;
  /** Progress lines; defaults to stderr. */
  log?: (line: string) => void;
}

/**
 * The embedded stack: Temporal dev server, MinIO, MLflow and the Docker engine, all on loopback.
 * `Stack.ensure()` reuses every service that already answers and starts the others; the same
 * code serves `npm run stack`, the demo, the worker and the tests.
 */
export class Stack {
  private constructor(
    readonly config: TidemarkConfig,
    readonly paths: StackPaths,
    private readonly services: Map<ServiceName, StackService>,
    /** The services this instance started (and so may stop). */
    readonly started: ServiceName[],
  ) {}

  private static services(config: TidemarkConfig, paths: StackPaths): Map<ServiceName, StackService> {
    const tools = locateTools(process.env, paths);
    return new Map<ServiceName, StackService>([
      ['dockerd', new DockerEngine(config, paths, tools.dockerd)],
      ['minio', new MinioServer(config, paths, tools.minio)],
      ['temporal', new TemporalDevServer(config, paths, tools.temporal)],
      ['mlflow', new MlflowServer(config, paths, tools.mlflow)],
    ]);
  }

  /** A handle on the stack without starting anything. */
  static open(opts: StackOptions = {}): Stack {
    const config = opts.config ?? resolveConfig();
    const paths = opts.paths ?? stackPaths();
    return new Stack(config, paths, Stack.services(config, paths), []);
  }

  /** Starts whatever is not running yet and waits until every service is healthy. */
  static async ensure(opts: StackOptions = {}): Promise<Stack> {
    const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const stack = Stack.open(opts);
    mkdirSync(stack.paths.logsDir, { recursive: true });
    mkdirSync(stack.paths.runDir, { recursive: true });
    const bring = async (name: ServiceName) => {
      const service = stack.services.get(name)!;
      const t0 = Date.now();
      if (await service.healthy()) {
        log(`  ${name}: already running`);
      } else {
        await service.start();
        stack.started.push(name);
        log(`  ${name}: started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      await service.prepare?.();
    };
    try {
      // MLflow keeps its artifacts in MinIO, so it waits for MinIO; the rest start side by side.
      await Promise.all([bring('dockerd'), bring('temporal'), bring('minio').then(() => bring('mlflow'))]);
    } catch (err) {
      await stack.stopStarted();
      throw err;
    }
    return stack;
  }

  /** Stops the services this instance started, newest first. */
  async stopStarted(): Promise<void> {
    for (const name of [...this.started].reverse()) await stopDaemon(this.paths.runDir, name);
    this.started.length = 0;
  }

  /** Stops every service of the embedded stack that has a pid file, whoever started it. */
  async stopAll(): Promise<ServiceName[]> {
    const stopped: ServiceName[] = [];
    for (const name of [...SERVICE_NAMES].reverse()) {
      if (await stopDaemon(this.paths.runDir, name)) stopped.push(name);
    }
    return stopped;
  }

  /** Which services have a live pid file (were started by some Tidemark process). */
  managed(): ServiceName[] {
    return SERVICE_NAMES.filter((name) => readPid(this.paths.runDir, name) !== undefined);
  }

  urls(): string[] {
    return SERVICE_NAMES.flatMap((name) => this.services.get(name)!.urls());
  }

  /** One line each for temporal, minio, mlflow and dockerd. */
  async versions(): Promise<string[]> {
    return Promise.all((['temporal', 'minio', 'mlflow', 'dockerd'] as const).map((name) => this.services.get(name)!.version()));
  }
}

