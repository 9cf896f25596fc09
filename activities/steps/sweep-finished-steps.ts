import type { TidemarkDeps } from '../deps.js';

/**
 * Where a finished step attempt's result is recorded, by its container's name. A retry that finds
 * it returns the result instead of running the step again; once it exists, the container and the
 * folder are no longer needed.
 */
export function completionRecordKey(container: string): string {
  return `steps/${container}.json`;
}

/**
 * Removes exited step containers, and staged folders, whose attempt has a completion record: what a
 * worker that died between recording a step and removing its container left behind. Containers
 * and folders without a record are left alone, because a retry still needs them (it collects the
 * exit code and the outputs). Returns the names it removed.
 */
export async function sweepFinishedSteps(
  deps: Pick<TidemarkDeps, 'containers' | 'store' | 'staging'>,
): Promise<string[]> {
  const exited = await deps.containers.list({ 'tidemark.managed': 'true' }, { exitedOnly: true });
  const folders = await deps.staging.staged();
  const names = [...new Set([...exited, ...folders])];
  const finished = (
    await Promise.all(
      names.map(async (name) => ((await deps.store.readIndex(completionRecordKey(name))) ? name : undefined)),
    )
  ).filter((name): name is string => name !== undefined);
  const exitedSet = new Set(exited);
  await Promise.all(
    finished.map((name) =>
      Promise.all([exitedSet.has(name) ? deps.containers.stop(name) : undefined, deps.staging.remove(name)]),
    ),
  );
  return finished;
}
