import { z } from 'zod';
import { CheckReportSchema, quietContext, type CheckContext, type CheckerPlugin, type CheckReport } from './api.js';
import { openDataset } from '../lib/data/open-dataset.js';
import { CheckerStateError, PluginConfigError, PluginShapeError } from './errors.js';
import { userErrors } from '../common/zod-messages.js';

/**
 * Running an in-process checker on files: config validated against the plugin's schema, data
 * opened as CSV or .npy, the report validated (user plugins can return anything).
 */

export function parseConfig<C>(plugin: CheckerPlugin<C>, config: unknown): C {
  const parsed = plugin.configSchema.safeParse(config ?? {}, { error: userErrors });
  if (!parsed.success)
    throw new PluginConfigError(`config of checker "${plugin.name}" is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** How errors and reports name the data (default: the paths). */
export interface DataLabels {
  batch?: string;
  reference?: string;
}

export async function fitPlugin(
  plugin: CheckerPlugin,
  referencePath: string,
  config: unknown,
  ctx: Partial<CheckContext> = {},
  label: string = referencePath,
): Promise<unknown> {
  const cfg = parseConfig(plugin, config);
  if (!plugin.fit) return undefined;
  return plugin.fit(await openDataset(referencePath, label), cfg, { ...quietContext(), ...ctx });
}

export async function checkPlugin(
  plugin: CheckerPlugin,
  input: { batch: string; state?: unknown; reference?: string; labels?: DataLabels },
  config: unknown,
  ctx: Partial<CheckContext> = {},
): Promise<CheckReport> {
  const cfg = parseConfig(plugin, config);
  if (plugin.fit && input.state === undefined)
    throw new CheckerStateError(
      `checker "${plugin.name}" has a fit step: fit it on a reference first and pass its state`,
    );
  const reference = input.reference
    ? await openDataset(input.reference, input.labels?.reference ?? input.reference)
    : undefined;
  const batch = await openDataset(input.batch, input.labels?.batch ?? input.batch);
  const report: unknown = await plugin.check(batch, input.state, cfg, {
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
