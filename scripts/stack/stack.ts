import { mkdirSync } from 'node:fs';
import type { TidemarkConfig } from '../../common/config.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { readPid, specFingerprint, startedWith, stopDaemon } from './daemon.js';
import { stackPaths, type StackPaths } from './paths.js';
import { ConsoleServer } from './services/console.js';
import { DockerEngine } from './services/dockerd.js';
import { KubernetesCluster } from './services/kubernetes.js';
import { MinioServer } from './services/minio.js';
import { MlflowServer } from './services/mlflow.js';
import { PrometheusServer } from './services/prometheus.js';
import type { StackService } from './services/service.js';
import { TemporalDevServer } from './services/temporal.js';
import { locateTools } from './tools.js';

export const SERVICE_NAMES = ['dockerd', 'minio', 'temporal', 'mlflow', 'console', 'prometheus', 'kubernetes'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** Services the stack starts only when asked (`--with prometheus`, `--with kubernetes`). */
export const OPTIONAL_SERVICES = ['prometheus', 'kubernetes'] as const;
export type OptionalService = (typeof OPTIONAL_SERVICES)[number];

export interface StackOptions {
  config?: TidemarkConfig;
  paths?: StackPaths;
  /** Progress lines; defaults to stderr. */
  log?: (line: string) => void;
  /** Optional services to start too. */
  with?: OptionalService[];
}

/**
 * The embedded stack: Temporal dev server, MinIO, MLflow, the Docker engine and the Tidemark
 * console, all on loopback (and Prometheus, when asked for).
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
      ['console', new ConsoleServer(config, paths)],
      ['prometheus', new PrometheusServer(config, paths, tools.prometheus)],
      ['kubernetes', new KubernetesCluster(config, paths)],
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
      const healthy = await service.healthy();
      const stale = healthy && stack.startedOtherwise(name, service);
      if (healthy && !stale) {
        log(`  ${name}: already running`);
      } else {
        if (stale) {
          log(`  ${name}: restarting: it runs with another command line or environment than this code starts it with`);
          await stopDaemon(stack.paths.runDir, name);
        }
        await service.start();
        stack.started.push(name);
        log(`  ${name}: started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      await service.prepare?.();
    };
    try {
      // MLflow keeps its artifacts in MinIO, and the cluster copies images from Docker into its node.
      const optional = new Set(opts.with ?? []);
      if (stack.config.containers.backend === 'kubernetes') optional.add('kubernetes');
      await Promise.all([
        bring('dockerd').then(() => (optional.has('kubernetes') ? bring('kubernetes') : undefined)),
        bring('temporal'),
        bring('minio').then(() => bring('mlflow')),
        bring('console'),
        ...[...optional].filter((name) => name !== 'kubernetes').map(bring),
      ]);
    } catch (err) {
      await stack.stopStarted();
      throw err;
    }
    return stack;
  }

  /**
   * True when the service was started by the stack (it has a live pid file) with a command line
   * or environment other than the current code's, for example by an older checkout: a bulk
   * endpoint added to MLflow's start-up must not be silently missing from a server left running.
   * A service someone else runs (no pid file) is used as it is.
   */
  private startedOtherwise(name: ServiceName, service: StackService): boolean {
    if (readPid(this.paths.runDir, name) === undefined) return false;
    let wanted: string;
    try {
      wanted = specFingerprint(service.daemonSpec());
    } catch {
      return false; // the tool is gone: keep what runs
    }
    return startedWith(this.paths.runDir, name) !== wanted;
  }

  /** Stops the services this instance started, newest first. */
  async stopStarted(): Promise<void> {
    for (const name of [...this.started].reverse()) await this.stopService(name);
    this.started.length = 0;
  }

  /** Stops every service of the embedded stack that has a pid file, whoever started it. */
  async stopAll(): Promise<ServiceName[]> {
    const stopped: ServiceName[] = [];
    for (const name of [...SERVICE_NAMES].reverse()) {
      if (await this.stopService(name)) stopped.push(name);
    }
    return stopped;
  }

  /** A service that is more than one daemon stops itself; the others are one daemon each. */
  private stopService(name: ServiceName): Promise<boolean> {
    const service = this.services.get(name)!;
    return service.stop ? service.stop() : stopDaemon(this.paths.runDir, name);
  }

  /** Which services have a live pid file (were started by some Tidemark process). */
  managed(): ServiceName[] {
    return SERVICE_NAMES.filter((name) => readPid(this.paths.runDir, name) !== undefined);
  }

  /** Each service's addresses (an optional one's only when it runs). */
  urls(): string[] {
    const optional = new Set<ServiceName>(OPTIONAL_SERVICES);
    return SERVICE_NAMES.filter(
      (name) => !optional.has(name) || this.started.includes(name) || readPid(this.paths.runDir, name) !== undefined,
    ).flatMap((name) => this.services.get(name)!.urls());
  }

  /** One line each for temporal, minio, mlflow, dockerd and kubernetes. */
  async versions(): Promise<string[]> {
    return Promise.all(
      (['temporal', 'minio', 'mlflow', 'dockerd', 'kubernetes'] as const).map((name) =>
        this.services.get(name)!.version(),
      ),
    );
  }
}
