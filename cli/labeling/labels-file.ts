import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';

/** Thrown when a labels file cannot be read; the message says what to fix. */
export class LabelsFileError extends Error {
  override name = 'LabelsFileError';
}

const LabelValue = z.union([z.string().min(1), z.number()]).transform(String);
const JsonLabels = z.union([
  z.object({ labels: z.record(z.string(), LabelValue), labeler: z.string().optional() }).passthrough(),
  z.record(z.string(), LabelValue),
]);

/**
 * Reads labels from a file: JSON (`{ "labels": { "<id>": "<label>" } }`, the signal's own
 * payload, or a bare `{ "<id>": "<label>" }` map) or CSV with `id` and `label` columns.
 */
export function readLabelsFile(path: string): { labels: Record<string, string>; labeler?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LabelsFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (extname(path).toLowerCase() === '.json' || /^\s*\{/.test(text)) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new LabelsFileError(`${path} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = JsonLabels.safeParse(json);
    if (!parsed.success)
      throw new LabelsFileError(
        `${path}: expected { "labels": { "<sample id>": "<label>" } } or { "<sample id>": "<label>" }`,
      );
    return 'labels' in parsed.data && typeof parsed.data.labels === 'object'
      ? {
          labels: parsed.data.labels as Record<string, string>,
          ...(typeof parsed.data.labeler === 'string' ? { labeler: parsed.data.labeler } : {}),
        }
      : { labels: parsed.data as Record<string, string> };
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw new LabelsFileError(`${path} is not valid CSV: ${(err as Error).message}`);
  }
  if (rows.length === 0) throw new LabelsFileError(`${path} holds no labels`);
  if (!('id' in rows[0]!) || !('label' in rows[0]!))
    throw new LabelsFileError(
      `${path} needs a header row with "id" and "label" columns; it has ${Object.keys(rows[0]!).join(', ')}`,
    );
  const labels: Record<string, string> = {};
  for (const [i, r] of rows.entries()) {
    if (!r.id || !r.label) throw new LabelsFileError(`${path}, line ${i + 2}: both id and label are needed`);
    if (r.id in labels && labels[r.id] !== r.label)
      throw new LabelsFileError(`${path}, line ${i + 2}: sample "${r.id}" is labeled twice, differently`);
    labels[r.id] = r.label;
  }
  return { labels };
}
