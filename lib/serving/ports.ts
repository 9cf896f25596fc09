import { createServer } from 'node:net';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { NoFreePortError } from './errors.js';

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * Loopback ports for proxies, samplers and model servers, leased from a configured range and
 * recorded by owner in a small JSON file, so that a retried activity gets the port it had, two
 * deployments never share one, and a stopped deployment gives its ports back. The file is written
 * beside itself and renamed; leases are taken one at a time within a worker.
 */
export class PortLeases {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly range: { from: number; to: number },
  ) {}

  private async read(): Promise<Record<string, number>> {
    return JSON.parse(await readFile(this.file, 'utf8').catch(() => '{}')) as Record<string, number>;
  }

  private async write(leases: Record<string, number>): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await writeFile(`${this.file}.part`, JSON.stringify(leases, null, 1));
    await rename(`${this.file}.part`, this.file);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The port leased to `owner`, leasing a free one first when it has none. */
  lease(owner: string): Promise<number> {
    return this.serial(async () => {
      const leases = await this.read();
      if (leases[owner]) return leases[owner];
      const taken = new Set(Object.values(leases));
      for (let port = this.range.from; port <= this.range.to; port++) {
        if (taken.has(port) || !(await free(port))) continue;
        leases[owner] = port;
        await this.write(leases);
        return port;
      }
      throw new NoFreePortError(
        `no free port left in ${this.range.from}-${this.range.to} for ${owner}. Fix: stop deployments you no longer need (tidemark serve stop), or widen TIDEMARK_SERVING_PORTS.`,
      );
    });
  }

  /** Gives back every port whose owner starts with `prefix`. */
  release(prefix: string): Promise<void> {
    return this.serial(async () => {
      const leases = await this.read();
      for (const owner of Object.keys(leases)) if (owner.startsWith(prefix)) delete leases[owner];
      await this.write(leases);
    });
  }
}
