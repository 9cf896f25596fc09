import type { Logger } from 'pino';

/**
 * Clean-up that may run after an activity has returned: removing a finished step's container and
 * folder. The step's result does not depend on it, so the pipeline goes on to its next step while
 * Docker removes the last one. The worker waits for what is still running when it shuts down, and
 * `sweepFinishedSteps` at its start removes what a crash interrupted.
 */
export class DeferredCleanup {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  /** Runs `work` in the background; a failure is logged with `what`, never thrown. */
  later(what: string, work: () => Promise<void>): void {
    const done = work().catch((err: unknown) => this.logger.warn({ err }, `clean-up failed: ${what}`)).finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves once every clean-up started so far (and any started meanwhile) has ended. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
  }
}
