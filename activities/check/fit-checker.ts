import { join } from 'node:path';
import { createCheckerRegistry } from '../../plugins/registry.js';
import { fitPlugin } from '../../plugins/runner.js';
import { writeState } from '../../plugins/state-codec.js';
import type { CheckerDeps, FitCheckerInput, FitCheckerResult } from './check-types.js';
import { runContainerFit } from './container-checker.js';
import { download, materializeConfig, withWorkspace } from './workspace.js';

/** Throttles heartbeats to one every few seconds. */
export function progressReporter(deps: CheckerDeps): (rows: number) => void {
  let last = 0;
  return (rows) => {
    const now = Date.now();
    if (deps.heartbeat && now - last > 2000) {
      last = now;
      deps.heartbeat({ rows });
    }
  };
}

/**
 * Fits a checker on a reference artifact and stores its state as an artifact. Downloads into a
 * temporary folder under deps.workDir, removed afterwards.
 */
export async function fitChecker(deps: CheckerDeps, input: FitCheckerInput): Promise<FitCheckerResult> {
  const registry = deps.registry ?? createCheckerRegistry();
  const resolved = await registry.get(input.plugin);
  return withWorkspace(
    deps.workDir,
    'fit',
    async (ws) => {
      const dir = ws.dir;
      const reference = await download(deps.store, input.reference, ws, 'reference');
      const config = await materializeConfig(deps.store, input.config, ws);
      if (resolved.kind === 'container') {
        const statePath = await runContainerFit(deps.containers, {
          image: resolved.image,
          config,
          reference,
          outputsDir: join(dir, 'outputs'),
          name: input.containerName,
          signal: deps.signal,
        });
        return {
          state: await deps.store.put(statePath, `${resolved.name}-state`),
          plugin: resolved.name,
          version: resolved.image,
        };
      }
      const { plugin } = resolved;
      const state = await fitPlugin(
        plugin,
        reference,
        config,
        { progress: progressReporter(deps), log: (m) => deps.logger?.info(m) },
        ws.labels.get(reference),
      );
      const stateDir = join(dir, 'state');
      await writeState(stateDir, { plugin: plugin.name, version: plugin.version, state });
      deps.logger?.info(`fitted checker ${plugin.name} ${plugin.version} on ${input.reference.name}`);
      return {
        state: await deps.store.put(stateDir, `${plugin.name}-state`),
        plugin: plugin.name,
        version: plugin.version,
      };
    },
    input.stepKey,
  );
}
