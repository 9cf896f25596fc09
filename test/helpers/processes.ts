import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live processes for which `test` (given a pid and a reader of its /proc files) holds. */
function processesWhere(test: (pid: number, read: (file: string) => string) => boolean): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return test(pid, (file) => readFileSync(`/proc/${pid}/${file}`, 'utf8'));
      } catch {
        return false; // gone
      }
    });
}

/** Pids of live processes other than this one whose command line mentions `needle`. */
export function processesMentioning(needle: string): number[] {
  return processesWhere((pid, read) => pid !== process.pid && read('cmdline').includes(needle));
}

/** Pids of the live children of `parent` (PostgreSQL's backends lead process groups of their own, so a group kill misses them). */
export function childrenOf(parent: number): number[] {
  // The command name (field 2) may hold spaces: the parent's pid is the second field after its ')'.
  return processesWhere((_pid, read) => {
    const stat = read('stat');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent;
  });
}
