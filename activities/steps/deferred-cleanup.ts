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
    const done = work()
      .catch((err: unknown) => this.logger.warn({ err }, `clean-up failed: ${what}`))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /**
   * Resolves once every clean-up started so far (and any started meanwhile) has ended, or after
   * `timeoutMs` with a warning: what is left then (a Docker daemon that stopped answering, say)
   * is swept by the next worker's start, so a stopping worker does not hang on it.
   */
  async drain(timeoutMs = Infinity): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const settled = (async () => {
      while (this.running.size) await Promise.all(this.running);
    })();
    try {
      if ((await Promise.race([settled, timedOut])) === 'timeout')
        this.logger.warn(
          { pending: this.running.size },
          `clean-up still running after ${timeoutMs} ms; the next worker's start sweeps what is left`,
        );
    } finally {
      clearTimeout(timer);
    }
  }
}
