import { connect } from 'node:net';
import { BACKEND, type ProxyServer } from './haproxy-config.js';

/** One server as HAProxy's runtime API reports it (`show servers state`). */
export interface LiveServer {
  name: string;
  port: number;
  /** The weight set by the config or the runtime API. */
  weight: number;
  /** 0 stopped, 1 starting, 2 running, 3 stopping (health-wise: 2 is up). */
  opState: number;
  /** Non-zero while in maintenance. */
  adminState: number;
}

/**
 * HAProxy's runtime API over its unix socket: one command per connection (HAProxy closes it after
 * answering). Node's net module speaks to the socket directly; no client library exists for it.
 */
export class HaproxyRuntime {
  constructor(readonly socketPath: string) {}

  command(cmd: string, timeoutMs = 5000): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const sock = connect(this.socketPath);
      const timer = setTimeout(() => sock.destroy(new Error(`HAProxy runtime API did not answer "${cmd}"`)), timeoutMs);
      sock.on('connect', () => sock.end(`${cmd}\n`));
      sock.on('data', (d: Buffer) => chunks.push(d));
      sock.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      sock.on('close', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
  }

  async servers(): Promise<LiveServer[]> {
    const text = await this.command(`show servers state ${BACKEND}`);
    const rows = text.split('\n').filter((l) => l && !l.startsWith('#') && l.trim() !== '1');
    return rows.map((l) => {
      const f = l.trim().split(/\s+/);
      return {
        name: f[3]!,
        opState: Number(f[5]),
        adminState: Number(f[6]),
        weight: Number(f[7]),
        port: Number(f[18]),
      };
    });
  }

  private async ok(cmd: string): Promise<void> {
    const answer = (await this.command(cmd)).trim();
    // Success is silent or a short notice; failures name themselves.
    if (/^(?:unknown|no such|require|error|.*(?:not found|cannot|can't|invalid|failed))/im.test(answer))
      throw new Error(`HAProxy refused "${cmd}": ${answer}`);
  }

  /**
   * Makes the live backend match `wanted`: adds missing servers (health-checked, enabled), moves
   * servers whose port changed, sets weights, and removes servers no longer wanted (out of
   * routing first, then deleted once their connections have ended). Returns what it changed.
   */
  async apply(wanted: ProxyServer[]): Promise<string[]> {
    const changes: string[] = [];
    const live = new Map((await this.servers()).map((s) => [s.name, s]));
    for (const w of wanted) {
      let s = live.get(w.name);
      if (s && s.port !== w.port) {
        await this.remove(w.name);
        s = undefined;
      }
      if (!s) {
        await this.ok(
          `add server ${BACKEND}/${w.name} 127.0.0.1:${w.port} weight ${w.weight} check inter 1s fall 2 rise 1`,
        );
        await this.ok(`enable health ${BACKEND}/${w.name}`);
        await this.ok(`enable server ${BACKEND}/${w.name}`);
        changes.push(`added ${w.name} at weight ${w.weight}`);
        continue;
      }
      if (s.adminState !== 0) {
        await this.ok(`enable server ${BACKEND}/${w.name}`);
        changes.push(`enabled ${w.name}`);
      }
      if (s.weight !== w.weight) {
        await this.ok(`set server ${BACKEND}/${w.name} weight ${w.weight}`);
        changes.push(`${w.name} weight ${s.weight} -> ${w.weight}`);
      }
    }
    const names = new Set(wanted.map((w) => w.name));
    for (const s of live.values()) {
      if (names.has(s.name)) continue;
      await this.remove(s.name);
      changes.push(`removed ${s.name}`);
    }
    return changes;
  }

  private async remove(name: string): Promise<void> {
    await this.ok(`set server ${BACKEND}/${name} weight 0`);
    await this.ok(`disable server ${BACKEND}/${name}`);
    for (let i = 0; i < 50; i++) {
      const answer = (await this.command(`del server ${BACKEND}/${name}`)).trim();
      if (/deleted|no such server/i.test(answer) || answer === '') return;
      if (i === 30) await this.command(`shutdown sessions server ${BACKEND}/${name}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`HAProxy kept server ${name} (it still has connections)`);
  }
}
