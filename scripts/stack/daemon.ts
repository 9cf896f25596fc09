import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A long-running service process started in its own process group, with its output in a log
 * file and its pid in a pid file, so that any later process (a test run, the demo, `stack --stop`)
 * can find it and stop it together with its children.
 */
export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  runDir: string;
  /**
   * The signal that shuts the daemon down cleanly, sent to its process group (default SIGTERM).
   * PostgreSQL takes SIGINT: SIGTERM would wait for every client to disconnect.
   */
  stopSignal?: NodeJS.Signals;
}

export function pidFile(runDir: string, name: string): string {
  return join(runDir, `${name}.pid`);
}

const specFile = (runDir: string, name: string) => join(runDir, `${name}.spec`);
const stopSignalFile = (runDir: string, name: string) => join(runDir, `${name}.stop-signal`);

/**
 * A hash of what a daemon runs: command, arguments and environment (hashed, since the
 * environment holds credentials). A running daemon whose hash differs from its service's current
 * one was started by other code (an older checkout) and is restarted.
 */
export function specFingerprint(spec: Pick<DaemonSpec, 'command' | 'args' | 'env'>): string {
  const env = Object.entries(spec.env ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(JSON.stringify([spec.command, spec.args, env]))
    .digest('hex');
}

/** The fingerprint a running daemon was started with, if it was recorded. */
export function startedWith(runDir: string, name: string): string | undefined {
  try {
    return readFileSync(specFile(runDir, name), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(runDir: string, name: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile(runDir, name), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function startDaemon(spec: DaemonSpec): number {
  mkdirSync(spec.runDir, { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command}); see ${spec.logFile}`);
    child.unref();
    writeFileSync(pidFile(spec.runDir, spec.name), `${child.pid}\n`);
    writeFileSync(specFile(spec.runDir, spec.name), `${specFingerprint(spec)}\n`);
    if (spec.stopSignal) writeFileSync(stopSignalFile(spec.runDir, spec.name), `${spec.stopSignal}\n`);
    else rmSync(stopSignalFile(spec.runDir, spec.name), { force: true });
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Stops the process group of `pid`: `stopSignal` (SIGTERM), then SIGKILL after `graceMs`. */
export async function stopProcessGroup(
  pid: number,
  graceMs = 10_000,
  stopSignal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal(stopSignal);
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal('SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

export async function stopDaemon(runDir: string, name: string): Promise<boolean> {
  const pid = readPid(runDir, name);
  let stopSignal: NodeJS.Signals | undefined;
  try {
    stopSignal = readFileSync(stopSignalFile(runDir, name), 'utf8').trim() as NodeJS.Signals;
  } catch {
    stopSignal = undefined;
  }
  for (const file of [pidFile(runDir, name), specFile(runDir, name), stopSignalFile(runDir, name)])
    rmSync(file, { force: true });
  if (pid === undefined) return false;
  await stopProcessGroup(pid, undefined, stopSignal);
  return true;
}

/** Polls `probe` until it returns true, or throws naming the service and its log. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  hint: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`${what} did not become healthy within ${Math.round(timeoutMs / 1000)} s. ${hint}`);
}
