import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckReport } from '../../plugins/api.js';
import { createCheckerRegistry, type CheckerRegistry } from '../../plugins/registry.js';
import { checkPlugin, fitPlugin } from '../../plugins/runner.js';
import { readState, writeState } from '../../plugins/state-codec.js';
import type { Scenario } from './scenarios.js';

export interface ScenarioResult {
  scenario: Scenario;
  runs: number;
  alarms: number;
  /** Detection rate for drift scenarios, false-alarm rate for the others. */
  rate: number;
  reports: CheckReport[];
}

/** Fits and checks one scenario over `seeds` splits; the state goes through its on-disk form each time. */
export async function runScenario(
  scenario: Scenario,
  seeds: number[],
  workDir: string,
  registry: CheckerRegistry = createCheckerRegistry(),
): Promise<ScenarioResult> {
  const resolved = await registry.get(scenario.plugin);
  if (resolved.kind !== 'module')
    throw new TypeError(`scenario ${scenario.name}: ${scenario.plugin} is not an in-process plugin`);
  const plugin = resolved.plugin;
  const reports: CheckReport[] = [];
  for (const seed of seeds) {
    const dir = join(workDir, scenario.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase(), String(seed));
    await mkdir(dir, { recursive: true });
    try {
      const split = await scenario.make(seed, dir);
      const state = await fitPlugin(plugin, split.reference, scenario.config);
      await writeState(join(dir, 'state'), { plugin: plugin.name, version: plugin.version, state });
      const stored = await readState(join(dir, 'state'));
      reports.push(
        await checkPlugin(
          plugin,
          { batch: split.batch, state: stored.state, reference: split.reference },
          scenario.config,
        ),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const alarms = reports.filter((r) => r.alarm).length;
  return { scenario, runs: seeds.length, alarms, rate: alarms / seeds.length, reports };
}

export function seedsFor(count: number, base = 0): number[] {
  return Array.from({ length: count }, (_, i) => base + i);
}
