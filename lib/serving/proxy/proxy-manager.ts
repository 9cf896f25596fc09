import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { ProxyError } from '../errors.js';
import { renderHaproxyConfig, type ProxySpec } from './haproxy-config.js';
import { HaproxyRuntime } from './haproxy-runtime.js';
import { processAlive } from '../../processes/process-alive.js';

/** Where Debian's haproxy package puts the binary, or the first `haproxy` on PATH. */
export function haproxyBinary(): string {
  for (const dir of ['/usr/sbin', ...(process.env.PATH ?? '').split(delimiter)]) {
    const bin = join(dir, 'haproxy');
    if (dir && existsSync(bin)) return bin;
  }
  throw new ProxyError(
    "HAProxy is not installed. Fix: run `npm run setup` (it installs Debian's haproxy), or `apt-get install haproxy`.",
  );
}

/** What ensure did: started or reloaded HAProxy, and which servers or weights it changed. */
export interface ProxyChanges {
  started: boolean;
  reloaded: boolean;
  changes: string[];
}

/**
 * One HAProxy per deployment, a daemon of its own (it keeps serving when the worker dies). The
 * manager only compares and repairs: `ensure` starts HAProxy when it is not running, reloads it
 * gracefully when its ports or sampling changed (`-sf`: the new process takes the listening
 * sockets, the old one finishes its requests), and otherwise sets servers and weights through the
 * runtime API, which drops no connection.
 */
export class HaproxyManager {
  constructor(private readonly binary: string = haproxyBinary()) {}

  private files(dir: string) {
    return {
      config: join(dir, 'haproxy.cfg'),
      pid: join(dir, 'haproxy.pid'),
      shape: join(dir, 'shape.sha256'),
      socket: join(dir, 'admin.sock'),
    };
  }

  async pid(dir: string): Promise<number | undefined> {
    const text = await readFile(this.files(dir).pid, 'utf8').catch(() => '');
    const pid = Number(text.trim().split('\n')[0]);
    return pid > 0 && processAlive(pid) ? pid : undefined;
  }

  /** True when the HAProxy of this folder runs and answers on its runtime socket. */
  async running(dir: string): Promise<boolean> {
    if (!(await this.pid(dir))) return false;
    return new HaproxyRuntime(this.files(dir).socket)
      .command('show info', 2000)
      .then((t) => t.includes('Name: HAProxy'))
      .catch(() => false);
  }

  async ensure(spec: ProxySpec): Promise<ProxyChanges> {
    const f = this.files(spec.dir);
    await mkdir(spec.dir, { recursive: true });
    const config = renderHaproxyConfig(spec);
    // Everything but the servers: a change there needs a reload, a change of servers does not.
    const shape = createHash('sha256')
      .update(renderHaproxyConfig({ ...spec, servers: [] }))
      .digest('hex');
    await writeFile(`${f.config}.new`, config);
    const check = await execa(this.binary, ['-c', '-q', '-f', `${f.config}.new`], { reject: false });
    if (check.exitCode !== 0)
      throw new ProxyError(`HAProxy refused the configuration Tidemark wrote: ${check.stderr || check.stdout}`);
    await writeFile(f.config, config);
    await rm(`${f.config}.new`, { force: true });
    const pid = await this.pid(spec.dir);
    const up = pid !== undefined && (await this.running(spec.dir));
    const oldShape = await readFile(f.shape, 'utf8').catch(() => '');
    if (!up || oldShape !== shape) {
      if (pid && !up) process.kill(pid, 'SIGKILL'); // hung: not answering its socket
      await rm(f.socket, { force: true }).catch(() => undefined);
      const args = ['-D', '-f', f.config, '-p', f.pid, ...(up && pid ? ['-sf', String(pid)] : [])];
      const r = await execa(this.binary, args, { reject: false, stdin: 'ignore' });
      if (r.exitCode !== 0) throw new ProxyError(`HAProxy did not start: ${r.stderr || r.stdout}`);
      await writeFile(f.shape, shape);
      for (let i = 0; i < 50 && !(await this.running(spec.dir)); i++) await new Promise((res) => setTimeout(res, 100));
      if (!(await this.running(spec.dir))) throw new Error('HAProxy started but its runtime socket does not answer');
      return { started: !up, reloaded: up, changes: [] };
    }
    const changes = await new HaproxyRuntime(f.socket).apply(spec.servers);
    return { started: false, reloaded: false, changes };
  }

  /** Servers and weights as HAProxy has them now (empty when it is not running). */
  async live(dir: string): Promise<{ name: string; port: number; weight: number; up: boolean }[]> {
    if (!(await this.running(dir))) return [];
    const servers = await new HaproxyRuntime(this.files(dir).socket).servers();
    return servers.map((s) => ({ name: s.name, port: s.port, weight: s.weight, up: s.opState === 2 }));
  }

  /** Stops HAProxy gracefully (it finishes requests in flight), then for good after `graceMs`. */
  async stop(dir: string, graceMs = 5000): Promise<void> {
    const pid = await this.pid(dir);
    if (pid) {
      process.kill(pid, 'SIGUSR1');
      for (let waited = 0; waited < graceMs && processAlive(pid); waited += 100)
        await new Promise((r) => setTimeout(r, 100));
      if (processAlive(pid)) process.kill(pid, 'SIGTERM');
    }
    await rm(this.files(dir).pid, { force: true });
    await rm(this.files(dir).shape, { force: true });
  }
}
