import { condition } from '@temporalio/workflow';

/** Bounds how many steps run at once (deterministic: waits on workflow state only). */
export class Semaphore {
  private active = 0;

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await condition(() => this.active < this.max);
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
    }
  }
}
