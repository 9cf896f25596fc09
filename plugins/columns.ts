import { z } from 'zod';
import { PluginConfigError } from './errors.js';

/**
 * Column selection, the same in every built-in checker's config: `columns` names the columns to
 * use (default: all), `ignore` leaves columns out (an id, a label, a timestamp). A name the
 * reference does not have is rejected at fit, naming the columns it has.
 */
export const ColumnSelectionFields = {
  /** Columns to use (default: every column the plugin can use). */
  columns: z.array(z.string().min(1)).min(1).optional(),
  /** Columns to leave out. */
  ignore: z.array(z.string().min(1)).default([]),
};

export interface ColumnSelection {
  columns?: string[];
  ignore: string[];
}

/**
 * The columns of `available` that the selection keeps, in the order given by `columns` (or the
 * file's order). `usable` are those the plugin can test (e.g. numeric ones); `label` names the data.
 */
export function selectColumns(
  plugin: string,
  available: readonly string[],
  selection: ColumnSelection,
  label: string,
  usable: readonly string[] = available,
): string[] {
  const unknown = [...(selection.columns ?? []), ...selection.ignore].filter((c) => !available.includes(c));
  if (unknown.length)
    throw new PluginConfigError(
      `config of checker "${plugin}" names column(s) ${unknown.map((c) => `"${c}"`).join(', ')} that ${label} does not have; ` +
        `its columns are ${available.join(', ')}. Fix the names in \`columns\` / \`ignore\`.`,
    );
  const chosen = (selection.columns ?? usable).filter((c) => !selection.ignore.includes(c));
  if (selection.columns) {
    const unusable = chosen.filter((c) => !usable.includes(c));
    if (unusable.length)
      throw new PluginConfigError(
        `config of checker "${plugin}": column(s) ${unusable.map((c) => `"${c}"`).join(', ')} of ${label} hold text, and ${plugin} needs numbers; ` +
          `leave them out of \`columns\` or encode them as numbers.`,
      );
  }
  if (chosen.length === 0)
    throw new PluginConfigError(
      `config of checker "${plugin}" leaves no column of ${label} to check (columns: ${available.join(', ')})`,
    );
  return chosen;
}
