import type { DaemonSpec } from '../daemon.js';

/** One process of the embedded stack. */
export interface StackService {
  readonly name: string;
  /** True when something healthy already answers on the service's address. */
  healthy(): Promise<boolean>;
  /** What `start` runs: command, arguments and environment. */
  daemonSpec(): DaemonSpec;
  /** Starts the service as a daemon and waits until it is healthy. */
  start(): Promise<void>;
  /**
   * Called before a healthy instance that the stack did not start is used as it is; throws when
   * it cannot serve the profile (say, a dev server where the production profile needs its own).
   */
  adopt?(): Promise<void>;
  /** Stops a service that is more than one daemon (default: stop the daemon of the service's name); true when something ran. */
  stop?(): Promise<boolean>;
  /** Idempotent set-up once the service is healthy (namespaces, buckets, …). */
  prepare?(): Promise<void>;
  /** One line: name and version. */
  version(): Promise<string>;
  /** Lines of `label: url` a person can open. */
  urls(): string[];
}
