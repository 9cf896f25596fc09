import { z } from 'zod';
import { CheckReportSchema, quietContext, type CheckContext, type CheckerPlugin, type CheckReport } from './api.js';
import { openDataset } from '../lib/data/open-dataset.js';
import { CheckerStateError, PluginConfigError, PluginShapeError } from './errors.js';

/**
 * Running an in-process checker on files: config validated against the plugin's schema, data
 * opened as CSV or .npy, the report validated (user plugins can return anything).
 */

export function parseConfig<C>(plugin: CheckerPlugin<C>, config: unknown): C {
  const parsed = plugin.configSchema.safeParse(config ?? {});
  if (!parsed.success)
    throw new PluginConfigError(`config of checker "${plugin.name}" is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function fitPlugin(
  plugin: CheckerPlugin,
  referencePath: string,
  config: unknown,
  ctx: Partial<CheckContext> = {},
): Promise<unknown> {
  const cfg = parseConfig(plugin, config);
  if (!plugin.fit) return undefined;
  return plugin.fit(await openDataset(referencePath), cfg, { ...quietContext(), ...ctx });
}

export async function checkPlugin(
  plugin: CheckerPlugin,
  input: { batch: string; state?: unknown; reference?: string },
  config: unknown,
  ctx: Partial<CheckContext> = {},
): Promise<CheckReport> {
  const cfg = parseConfig(plugin, config);
  if (plugin.fit && input.state === undefined)
    throw new CheckerStateError(
      `checker "${plugin.name}" has a fit step: fit it on a reference first and pass its state`,
    );
  const reference = input.reference ? await openDataset(input.reference) : undefined;
  const report: unknown = await plugin.check(await openDataset(input.batch), input.state, cfg, {
    ...quietContext(reference),
    ...ctx,
    reference,
  });
  const parsed = CheckReportSchema.safeParse(report);
  if (!parsed.success)
    throw new PluginShapeError(
      `checker "${plugin.name}" returned an invalid report:\n${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}
