import { mkdirSync } from 'node:fs';
import type { TidemarkConfig } from '../../common/config.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { readPid, specFingerprint, startedWith, stopDaemon } from './daemon.js';
import { stackPaths, type StackPaths } from './paths.js';
import {
  lastProfile,
  OPTIONAL_SERVICES,
  profileServices,
  recordProfile,
  resolveProfile,
  SERVICE_NAMES,
  VERSION_ORDER,
  type OptionalService,
  type ProfileService,
  type ServiceName,
  type StackProfile,
} from './profile.js';
import type { StackService } from './services/service.js';

export { OPTIONAL_SERVICES, SERVICE_NAMES, type OptionalService, type ServiceName, type StackProfile };

export interface StackOptions {
  config?: TidemarkConfig;
  paths?: StackPaths;
  /** Progress lines; defaults to stderr. */
  log?: (line: string) => void;
  /** Optional services to start too. */
  with?: OptionalService[];
  /** Which topology to run (default: TIDEMARK_STACK_PROFILE, else `dev`). */
  profile?: StackProfile;
  /** Where the settings outside the Tidemark config are read from (the profile, PostgreSQL's port); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The embedded stack: Temporal (the dev server, or in the production profile the Temporal server
 * on PostgreSQL with its Web UI server), MinIO, MLflow, the Docker engine and the Tidemark console,
 * all on loopback (and Prometheus and the Kubernetes cluster, when asked for).
 * `Stack.ensure()` reuses every service that already answers and starts the others; the same
 * code serves `npm run stack`, the demo, the worker and the tests.
 */
export class Stack {
  private constructor(
    readonly config: TidemarkConfig,
    readonly paths: StackPaths,
    readonly profile: StackProfile,
    private readonly services: Map<ServiceName, ProfileService>,
    /** The services this instance started (and so may stop). */
    readonly started: ServiceName[],
  ) {}

  /** A handle on the stack without starting anything. */
  static open(opts: StackOptions = {}): Stack {
    const config = opts.config ?? resolveConfig();
    const paths = opts.paths ?? stackPaths();
    const env = opts.env ?? process.env;
    const profile = opts.profile ?? resolveProfile(undefined, env);
    return new Stack(config, paths, profile, profileServices(profile, config, paths, env), []);
  }

  /** Starts whatever is not running yet and waits until every service is healthy. */
  static async ensure(opts: StackOptions = {}): Promise<Stack> {
    const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const stack = Stack.open(opts);
    mkdirSync(stack.paths.logsDir, { recursive: true });
    mkdirSync(stack.paths.runDir, { recursive: true });
    await stack.leaveOtherProfile(log);
    const bring = async (name: ServiceName) => {
      const { service } = stack.services.get(name)!;
      const t0 = Date.now();
      const healthy = await service.healthy();
      const managed = readPid(stack.paths.runDir, name) !== undefined;
      const stale = healthy && stack.startedOtherwise(name, service);
      if (healthy && !stale) {
        if (!managed) await service.adopt?.();
        log(`  ${name}: already running`);
      } else {
        if (stale) {
          log(`  ${name}: restarting: it runs with another command line or environment than this code starts it with`);
          await stack.stopService(name);
        }
        try {
          await service.start();
        } catch (err) {
          await stack.stopService(name); // spawned, but never became healthy
          throw err;
        }
        stack.started.push(name);
        log(`  ${name}: started in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      await service.prepare?.();
    };
    // Each service starts once those it waits for are up and prepared (MLflow keeps its artifacts
    // in MinIO, the cluster copies images from Docker into its node; in the production profile
    // Temporal and MLflow keep their state in PostgreSQL).
    const brought = new Map<ServiceName, Promise<void>>();
    const bringInOrder = (name: ServiceName): Promise<void> => {
      let done = brought.get(name);
      if (!done) {
        done = Promise.all(stack.services.get(name)!.after.map(bringInOrder)).then(() => bring(name));
        brought.set(name, done);
      }
      return done;
    };
    const optional = new Set<ServiceName>(opts.with ?? []);
    if (stack.config.containers.backend === 'kubernetes') optional.add('kubernetes');
    const wanted = [...stack.services.keys()].filter(
      (name) => !(OPTIONAL_SERVICES as readonly ServiceName[]).includes(name) || optional.has(name),
    );
    // Settled, not raced: a failure stops what was started only once nothing is starting any more.
    const failure = (await Promise.allSettled(wanted.map(bringInOrder))).find((r) => r.status === 'rejected');
    if (failure) {
      await stack.stopStarted();
      throw failure.reason;
    }
    recordProfile(stack.paths.runDir, stack.profile);
    return stack;
  }

  /**
   * When services of the other profile run from this state folder, they share its ports: stop
   * them first (those this profile lacks, and those it starts otherwise), PostgreSQL last.
   */
  private async leaveOtherProfile(log: (line: string) => void): Promise<void> {
    const previous = lastProfile(this.paths.runDir);
    const managed = this.managed();
    const foreign = managed.filter((name) => !this.services.has(name));
    if (foreign.length === 0 && (previous === undefined || previous === this.profile)) return;
    const toStop = managed.filter(
      (name) => !this.services.has(name) || this.startedOtherwise(name, this.services.get(name)!.service),
    );
    if (toStop.length === 0) return;
    log(
      `  the ${previous ?? 'other'} profile runs here: stopping its ${toStop.join(', ')} before the ${this.profile} profile starts`,
    );
    for (const name of [...SERVICE_NAMES].reverse()) if (toStop.includes(name)) await this.stopService(name);
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

  /** Stops every service of the embedded stack that has a pid file, whoever started it, whichever profile. */
  async stopAll(): Promise<ServiceName[]> {
    const stopped: ServiceName[] = [];
    for (const name of [...SERVICE_NAMES].reverse()) {
      if (await this.stopService(name)) stopped.push(name);
    }
    recordProfile(this.paths.runDir, undefined);
    return stopped;
  }

  /**
   * A service that is more than one daemon stops itself; the others are one daemon each (a
   * service of no profile's map, if ever, by its pid file).
   */
  private stopService(name: ServiceName): Promise<boolean> {
    const service = this.services.get(name)?.service;
    return service?.stop ? service.stop() : stopDaemon(this.paths.runDir, name);
  }

  /** Which services have a live pid file (were started by some Tidemark process). */
  managed(): ServiceName[] {
    return SERVICE_NAMES.filter((name) => readPid(this.paths.runDir, name) !== undefined);
  }

  /** Each service's addresses (an optional one's only when it runs). */
  urls(): string[] {
    const optional = new Set<ServiceName>(OPTIONAL_SERVICES);
    return SERVICE_NAMES.filter(
      (name) =>
        this.services.has(name) &&
        (!optional.has(name) || this.started.includes(name) || readPid(this.paths.runDir, name) !== undefined),
    ).flatMap((name) => this.services.get(name)!.service.urls());
  }

  /** One line each: temporal, minio, mlflow, dockerd and kubernetes; in the production profile PostgreSQL and the Web UI server too. */
  async versions(): Promise<string[]> {
    return Promise.all(VERSION_ORDER[this.profile].map((name) => this.services.get(name)!.service.version()));
  }
}
