import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { LabelSchema, submitLabelsSchema } from '../../common/labeling-messages.js';
import { describeValue, issueLine, userErrors } from '../../common/zod-messages.js';
import { LabelsFileError } from './errors.js';

export { LabelsFileError };

/** The formats a labels file may have, for messages. */
export const LABELS_FILE_FORMATS =
  'a labels file is CSV (a .csv with the header row "id,label", then one sample a row) or JSON ' +
  '(a .json holding { "labels": { "<sample id>": "<label>" } }, optionally with "labeler" and "overwrite", ' +
  'or a bare { "<sample id>": "<label>" } map)';

const CSV_COLUMNS = ['id', 'label'];

export interface LabelsFromFile {
  labels: Record<string, string>;
  labeler?: string;
  overwrite?: boolean;
}

/**
 * Reads labels from a file, as strictly as the session's update reads them: a `.json` file holds
 * the update's own payload (unknown fields refused) or a bare id-to-label map, a `.csv` file has
 * exactly the columns id and label. Any other extension is refused with the formats accepted.
 */
export function readLabelsFile(path: string): LabelsFromFile {
  const ext = extname(path).toLowerCase();
  if (ext !== '.json' && ext !== '.csv')
    throw new LabelsFileError(
      `${path} is ${ext ? `a ${ext} file` : 'a file without an extension'}; ${LABELS_FILE_FORMATS}`,
    );
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LabelsFileError(`cannot read ${path}: ${(err as Error).message}`);
  }
  if (text.trim() === '') throw new LabelsFileError(`${path} is empty; ${LABELS_FILE_FORMATS}`);
  const labels = ext === '.json' ? fromJson(path, text) : fromCsv(path, text);
  if (Object.keys(labels.labels).length === 0)
    throw new LabelsFileError(`${path} holds no labels; ${LABELS_FILE_FORMATS}`);
  return labels;
}

function fromJson(path: string, text: string): LabelsFromFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LabelsFileError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new LabelsFileError(`${path} holds ${describeValue(json)}, not labels; ${LABELS_FILE_FORMATS}`);
  // A bare map cannot hold a sample named "labels": a file with that key is read as the payload.
  const isPayload = 'labels' in json;
  const schema = isPayload
    ? submitLabelsSchema()
    : z.record(z.string().min(1, 'a sample id may not be empty'), LabelSchema());
  const parsed = schema.safeParse(json, { error: userErrors });
  if (!parsed.success)
    throw new LabelsFileError(
      `${path}: ${parsed.error.issues.map((i) => issueLine(i, 'the file')).join('; ')}; ${LABELS_FILE_FORMATS}`,
    );
  return isPayload ? (parsed.data as LabelsFromFile) : { labels: parsed.data as Record<string, string> };
}

function fromCsv(path: string, text: string): LabelsFromFile {
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  } catch (err) {
    throw new LabelsFileError(`${path} is not valid CSV: ${(err as Error).message}`);
  }
  const [header = []] = parse(text, { to_line: 1, trim: true }) as string[][];
  const missing = CSV_COLUMNS.filter((c) => !header.includes(c));
  const unknown = header.filter((c) => !CSV_COLUMNS.includes(c));
  if (missing.length || unknown.length)
    throw new LabelsFileError(
      `${path} needs a header row with exactly the columns id and label; it has ${header.map((c) => JSON.stringify(c)).join(', ')}` +
        `${missing.length ? ` (missing ${missing.join(', ')})` : ''}${unknown.length ? ` (unknown ${unknown.map((c) => JSON.stringify(c)).join(', ')})` : ''}`,
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
