import { readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { isAlive } from '../daemon.js';

/**
 * What a stopped node leaves unless it is cleaned: containerd shims (each runs in a process group
 * of its own, so stopping containerd does not end them) and the processes of their containers,
 * the mounts of the kubelet and of containerd, and the kubelet's cgroups. The stack cleans these up
 * after the kubelet and containerd have stopped.
 */

function processes(): { pid: number; cmdline: string; cgroup: string }[] {
  const out: { pid: number; cmdline: string; cgroup: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      out.push({ pid, cmdline, cgroup });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/**
 * Processes the cluster started and that outlived it: shims bound to the cluster's containerd
 * socket, and anything in a cgroup below /kubepods (a container whose shim is gone).
 */
export function leftoverProcesses(containerdSocket: string): number[] {
  return processes()
    .filter((p) => p.cmdline.includes(`-address ${containerdSocket}`) || /^\d+:[^:]*:\/kubepods(\/|$)/m.test(p.cgroup))
    .map((p) => p.pid);
}

/** Kills, by pid, each leftover process of the cluster; resolves when they are gone. */
export async function killLeftovers(containerdSocket: string): Promise<number> {
  const pids = leftoverProcesses(containerdSocket);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + 10_000;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  return pids.length;
}

/** Mount points below any of `roots`, deepest first (from /proc/self/mountinfo; octal escapes decoded). */
export function mountsBelow(roots: string[]): string[] {
  const decode = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => decode(line.split(' ')[4]!))
    .filter((point) => roots.some((root) => point === root || point.startsWith(`${root}/`)));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything mounted below `roots` (lazily when busy); returns how many. */
export async function unmountBelow(roots: string[]): Promise<number> {
  const points = mountsBelow(roots);
  for (const point of points) {
    const r = await execa('umount', [point], { reject: false });
    if (r.exitCode !== 0) await execa('umount', ['-l', point], { reject: false });
  }
  return points.length;
}

/** Removes the kubelet's cgroup trees (`kubepods` in each hierarchy), deepest first; returns how many folders. */
export function removeKubeCgroups(cgroupRoot = '/sys/fs/cgroup'): number {
  let removed = 0;
  const removeTree = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }))
      if (entry.isDirectory()) removeTree(join(dir, entry.name));
    try {
      rmdirSync(dir);
      removed++;
    } catch {
      /* still has a process; leftoverProcesses() should have ended it */
    }
  };
  const hierarchies = readdirSync(cgroupRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => join(cgroupRoot, e.name));
  for (const hierarchy of [cgroupRoot, ...hierarchies]) {
    const kubepods = join(hierarchy, 'kubepods');
    try {
      if (statSync(kubepods).isDirectory()) removeTree(kubepods);
    } catch {
      /* not in this hierarchy */
    }
  }
  return removed;
}
