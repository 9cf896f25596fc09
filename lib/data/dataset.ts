/**
 * What a checker sees of its data: a schema and a stream of bounded chunks. Nothing ever holds a
 * whole batch in memory; a check accumulates what it needs (sums, histograms, samples) chunk by
 * chunk, and may stream the same dataset more than once.
 */

export type ColumnKind = 'numeric' | 'categorical';

export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}

export interface DataSchema {
  format: 'csv' | 'npy';
  /** Every column, in file order. For .npy these are generated names f0, f1, … over the flattened row. */
  columns: ColumnSpec[];
  /**
   * The shape of one row's numeric features: for .npy the trailing dimensions (`[1, 8, 8]` for
   * 8×8 grey images), for CSV `[number of numeric columns]`.
   */
  featureShape: number[];
  /** The .npy dtype (`<f4`, `<f8`, …); absent for CSV. */
  dtype?: string;
  /** Number of rows, when the header says it (.npy). */
  rows?: number;
  /** Byte offset of the first row's values (.npy). */
  dataOffset?: number;
}

/** One bounded slice of rows. */
export interface Chunk {
  /** Index of this chunk's first row in the whole dataset. */
  offset: number;
  rows: number;
  /** Number of numeric columns: the row stride of `numeric`. */
  width: number;
  /** Row-major values of the numeric columns (rows × width). NaN where a cell is missing or not a number. */
  numeric: Float32Array | Float64Array;
  /** Values of the categorical columns by name; null where a cell is missing. */
  categorical: Map<string, (string | null)[]>;
  /** Per numeric column: cells that were empty or a missing-value token (NA, null, …). */
  missing: Uint32Array;
  /** Per numeric column: cells that held something other than a number. */
  invalid: Uint32Array;
}

export interface ReadOptions {
  /** Parse with these columns and kinds (from a fitted state) instead of inferring them. */
  schema?: DataSchema;
  /** Upper bound on rows per chunk (default 4096 for CSV, as many as fit `chunkBytes` for .npy). */
  chunkRows?: number;
  /** Upper bound on the bytes of one chunk's numeric values (default 8 MiB). */
  chunkBytes?: number;
}

export interface Dataset {
  readonly path: string;
  /**
   * How errors and reports name the data, in the user's terms (`batch "sales.csv" of step
   * "drift"`); the path when nothing better is known. Never a worker's temporary path.
   */
  readonly label: string;
  readonly format: 'csv' | 'npy';
  /** The columns and their kinds (CSV kinds are inferred from the first rows). */
  schema(): Promise<DataSchema>;
  /** Every column name the file has, in order (a CSV's header; f0, f1, … for .npy). */
  header(): Promise<string[]>;
  /** Streams the rows; every call starts again from the first row. */
  chunks(options?: ReadOptions): AsyncIterable<Chunk>;
}

export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

export function numericColumns(schema: DataSchema): ColumnSpec[] {
  return schema.columns.filter((c) => c.kind === 'numeric');
}

export function categoricalColumns(schema: DataSchema): ColumnSpec[] {
  return schema.columns.filter((c) => c.kind === 'categorical');
}

/** The schema with the named columns read as categorical (label columns, integer-coded categories). */
export function withCategorical(schema: DataSchema, names: readonly string[]): DataSchema {
  if (names.length === 0) return schema;
  const known = new Set(schema.columns.map((c) => c.name));
  for (const n of names)
    if (!known.has(n)) throw new TypeError(`no column "${n}"; columns are ${[...known].join(', ')}`);
  const wanted = new Set(names);
  const columns = schema.columns.map((c) => (wanted.has(c.name) ? { ...c, kind: 'categorical' as const } : c));
  return { ...schema, columns, featureShape: [columns.filter((c) => c.kind === 'numeric').length] };
}
