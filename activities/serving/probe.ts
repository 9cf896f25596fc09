import { parse } from 'csv-parse/sync';
import type { ArtifactRef } from '../../common/artifact.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';

export interface ProbeReading {
  rows: number;
  answered: number;
  /** Share of rows whose prediction equals the `expected` column, when there is one. */
  accuracy?: number;
}

/**
 * Sends the probe rows (a CSV artifact) to one model server directly, as one `dataframe_split`
 * request, and compares its predictions with the `expected` column. A server that errors answers
 * no row.
 */
export async function probeServer(
  store: ArtifactStore,
  baseUrl: string,
  rowsRef: ArtifactRef,
  expected?: string,
): Promise<ProbeReading> {
  const records = parse(await store.getBytes(rowsRef), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const columns = Object.keys(records[0] ?? {}).filter((c) => c !== expected);
  const data = records.map((r) => columns.map((c) => Number(r[c])));
  const res = await fetch(`${baseUrl}/invocations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ dataframe_split: { columns, data } }),
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) return { rows: records.length, answered: 0, accuracy: expected ? 0 : undefined };
  const predictions = ((await res.json()) as { predictions?: unknown[] }).predictions ?? [];
  const answered = Math.min(predictions.length, records.length);
  if (!expected) return { rows: records.length, answered };
  let right = 0;
  records.forEach((r, i) => {
    if (String(predictions[i]) === String(r[expected]) || Number(predictions[i]) === Number(r[expected])) right++;
  });
  return { rows: records.length, answered, accuracy: records.length ? right / records.length : undefined };
}
