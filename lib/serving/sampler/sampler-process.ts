import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV } from '../../../common/env.js';
import type { SamplerConfig } from './sampler-config.js';
import { processAlive } from '../../processes/process-alive.js';
import { runsFromSource, siblingModule } from '../../modules/sibling-module.js';

// The sampler's entry as this module runs: sampler-main.ts under tsx, sampler-main.js in the built package.
const ENTRY = fileURLToPath(siblingModule(import.meta.url, './sampler-main'));
const PROJECT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Starts and stops a deployment's sampler as a daemon of its own (its own session, its log in its
 * folder), so it goes on when the worker that started it dies. `ensure` restarts it when its
 * config changed; the spool it leaves is picked up by the next one.
 */
export class SamplerProcess {
  constructor(private readonly secretKey: string) {}

  private files(dir: string) {
    return { config: join(dir, 'sampler.json'), pid: join(dir, 'sampler.pid'), log: join(dir, 'sampler.log') };
  }

  async pid(dir: string): Promise<number | undefined> {
    const [pid, hash] = (await readFile(this.files(dir).pid, 'utf8').catch(() => '')).split('\n');
    void hash;
    const n = Number(pid);
    return n > 0 && processAlive(n) ? n : undefined;
  }

  async running(dir: string, metricsPort: number): Promise<boolean> {
    if (!(await this.pid(dir))) return false;
    return fetch(`http://127.0.0.1:${metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
  }

  /** Starts the sampler, or restarts it when it is not answering or its config changed. Returns whether it (re)started it. */
  async ensure(dir: string, config: SamplerConfig): Promise<boolean> {
    const f = this.files(dir);
    await mkdir(dir, { recursive: true });
    const text = JSON.stringify(config, null, 2);
    const hash = createHash('sha256').update(text).digest('hex');
    const [, runningHash] = (await readFile(f.pid, 'utf8').catch(() => '')).split('\n');
    if (runningHash === hash && (await this.running(dir, config.metricsPort))) return false;
    await this.stop(dir);
    await writeFile(f.config, text);
    const out = openSync(f.log, 'a');
    try {
      const child = spawn(
        process.execPath,
        [...(runsFromSource(import.meta.url) ? ['--import', 'tsx'] : []), ENTRY, f.config],
        {
          cwd: PROJECT,
          detached: true,
          stdio: ['ignore', out, out],
          env: { PATH: process.env.PATH ?? '', [ENV.s3SecretKey]: this.secretKey },
        },
      );
      child.unref();
      await writeFile(f.pid, `${child.pid}\n${hash}\n`);
    } finally {
      closeSync(out);
    }
    for (let i = 0; i < 100; i++) {
      if (await this.running(dir, config.metricsPort)) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    const tail = (await readFile(f.log, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
    throw new Error(`the sampler did not start; the end of ${f.log}:\n${tail}`);
  }

  /** Stops it gracefully: it writes its open batch to the spool first. */
  async stop(dir: string): Promise<void> {
    const pid = await this.pid(dir);
    if (pid) {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 80 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
      if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(this.files(dir).pid, { force: true });
  }
}
