import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TidemarkDeps } from '../deps.js';

/**
 * Where a finished step attempt's result is recorded, by its container's name. A retry that finds
 * it returns the result instead of running the step again; once it exists, the container and the
 * folder are no longer needed.
 */
export function completionRecordKey(container: string): string {
  return `steps/${container}.json`;
}

/** The host folder of a step container (bind-mounted inputs and outputs, and its log). */
export function stepFolderPath(workDir: string, container: string): string {
  return join(workDir, 'steps', container);
}

/**
 * Removes exited step containers, and step folders, whose attempt has a completion record: what a
 * worker that died between recording a step and removing its container left behind. Containers
 * and folders without a record are left alone, because a retry still needs them (it collects the
 * exit code and the outputs). Returns the names it removed.
 */
export async function sweepFinishedSteps(
  deps: Pick<TidemarkDeps, 'containers' | 'store' | 'workDir'>,
): Promise<string[]> {
  const exited = await deps.containers.list({ 'tidemark.managed': 'true' }, { exitedOnly: true });
  const folders = await readdir(join(deps.workDir, 'steps')).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const names = [...new Set([...exited, ...folders])];
  const finished = (
    await Promise.all(
      names.map(async (name) => ((await deps.store.readIndex(completionRecordKey(name))) ? name : undefined)),
    )
  ).filter((name): name is string => name !== undefined);
  const exitedSet = new Set(exited);
  await Promise.all(
    finished.map((name) =>
      Promise.all([
        exitedSet.has(name) ? deps.containers.stop(name) : undefined,
        rm(stepFolderPath(deps.workDir, name), { recursive: true, force: true }),
      ]),
    ),
  );
  return finished;
}
