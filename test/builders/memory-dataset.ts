import type { Chunk, ColumnSpec, DataSchema, Dataset } from '../../lib/data/dataset.js';

/**
 * A Dataset over rows held in memory, laid out as the CSV reader lays out a file: numeric columns
 * row-major (NaN where missing), categorical columns as strings or null. For unit tests and the
 * evaluation, where thousands of small splits would otherwise be written and parsed as files.
 */
export interface MemoryColumns {
  /** Numeric columns: name → values (NaN for a missing cell). */
  numeric: Record<string, ArrayLike<number>>;
  /** Categorical columns: name → values (null for a missing cell). */
  categorical?: Record<string, readonly (string | null)[]>;
}

export function memoryDataset(label: string, data: MemoryColumns, chunkRows = 4096): Dataset {
  const numNames = Object.keys(data.numeric);
  const catNames = Object.keys(data.categorical ?? {});
  const rows = numNames.length
    ? data.numeric[numNames[0]!]!.length
    : catNames.length
      ? data.categorical![catNames[0]!]!.length
      : 0;
  const columns: ColumnSpec[] = [
    ...numNames.map((name) => ({ name, kind: 'numeric' as const })),
    ...catNames.map((name) => ({ name, kind: 'categorical' as const })),
  ];
  const own: DataSchema = { format: 'csv', columns, featureShape: [numNames.length] };
  async function* chunks(options: { schema?: DataSchema; chunkRows?: number } = {}): AsyncGenerator<Chunk> {
    const schema = options.schema ?? own;
    const num = schema.columns.filter((c) => c.kind === 'numeric').map((c) => c.name);
    const cat = schema.columns.filter((c) => c.kind === 'categorical').map((c) => c.name);
    const per = Math.max(1, Math.min(options.chunkRows ?? chunkRows, chunkRows));
    for (let offset = 0; offset < rows; offset += per) {
      const n = Math.min(per, rows - offset);
      const width = num.length;
      const numeric = new Float64Array(n * width);
      const missing = new Uint32Array(width);
      num.forEach((name, k) => {
        const src = data.numeric[name];
        for (let i = 0; i < n; i++) {
          const v = src ? src[offset + i]! : Number.NaN;
          numeric[i * width + k] = v;
          if (Number.isNaN(v)) missing[k]!++;
        }
      });
      const categorical = new Map<string, (string | null)[]>();
      for (const name of cat) {
        const src = data.categorical?.[name];
        const numSrc = data.numeric[name];
        categorical.set(
          name,
          Array.from({ length: n }, (_, i) =>
            src ? src[offset + i]! : numSrc && !Number.isNaN(numSrc[offset + i]!) ? String(numSrc[offset + i]) : null,
          ),
        );
      }
      yield { offset, rows: n, width, numeric, categorical, missing, invalid: new Uint32Array(width) };
    }
  }
  return {
    path: label,
    label,
    format: 'csv',
    schema: async () => own,
    chunks,
    header: async () => columns.map((c) => c.name),
  };
}
