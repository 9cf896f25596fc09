/**
 * The rows of a request to MLflow's scoring server and the predictions of its answer, so that a
 * sampled request becomes CSV rows a checker reads. MLflow accepts `dataframe_split`
 * (`{ columns, data }`), `dataframe_records` (a list of objects), `instances` and `inputs` (lists
 * of rows, or an object of columns); the answer is `{ "predictions": [...] }`.
 */
export interface Rows {
  columns: string[];
  rows: unknown[][];
}

function fromRowList(list: unknown[]): Rows | undefined {
  if (list.length === 0) return undefined;
  const first = list[0];
  if (Array.isArray(first)) {
    const width = first.length;
    return {
      columns: Array.from({ length: width }, (_, i) => `f${i}`),
      rows: list.map((r) => (Array.isArray(r) ? r.flat(Infinity) : [r])),
    };
  }
  if (first && typeof first === 'object') {
    const columns = Object.keys(first);
    return { columns, rows: list.map((r) => columns.map((c) => (r as Record<string, unknown>)[c])) };
  }
  return { columns: ['f0'], rows: list.map((v) => [v]) };
}

function fromColumns(obj: Record<string, unknown>): Rows | undefined {
  const columns = Object.keys(obj);
  const cols = columns.map((c) => obj[c]);
  if (!cols.every(Array.isArray)) return undefined;
  const n = (cols[0] as unknown[]).length;
  return { columns, rows: Array.from({ length: n }, (_, i) => cols.map((c) => (c as unknown[])[i])) };
}

/** The rows of a JSON request body; undefined when the body is not one of MLflow's input formats. */
export function requestRows(body: Buffer): Rows | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object') return undefined;
  const o = json as Record<string, unknown>;
  const split = o.dataframe_split as { columns?: string[]; data?: unknown[][] } | undefined;
  if (split && Array.isArray(split.data)) {
    const width = split.data[0]?.length ?? 0;
    return { columns: split.columns ?? Array.from({ length: width }, (_, i) => `f${i}`), rows: split.data };
  }
  for (const key of ['dataframe_records', 'instances', 'inputs']) {
    const v = o[key];
    if (Array.isArray(v)) return fromRowList(v);
    if (v && typeof v === 'object') return fromColumns(v as Record<string, unknown>);
  }
  return undefined;
}

/** The predictions of an answer, one per row; undefined when it has none. */
export function responsePredictions(body: Buffer): unknown[] | undefined {
  try {
    const json = JSON.parse(body.toString('utf8')) as { predictions?: unknown };
    if (Array.isArray(json.predictions)) return json.predictions;
    if (json.predictions && typeof json.predictions === 'object')
      return fromColumns(json.predictions as Record<string, unknown>)?.rows;
  } catch {
    /* not JSON: no predictions */
  }
  return undefined;
}
