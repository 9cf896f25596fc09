import type { DataSchema, Dataset } from '../../lib/data/dataset.js';
import { categoricalColumns, numericColumns } from '../../lib/data/dataset.js';
import { DuplicateCounter } from './duplicates.js';

/** What one streaming pass sees of each column, for the integrity rules. */
export interface ColumnScan {
  name: string;
  kind: 'numeric' | 'categorical';
  missing: number;
  /** Numeric only: cells that were not numbers, NaN and ±Inf values, finite min and max. */
  invalid: number;
  nan: number;
  inf: number;
  min: number | null;
  max: number | null;
  /** Values outside the given [min, max], and outside it by more than the margin. */
  outOfRange: number;
  farOutOfRange: number;
}

export interface Scan {
  rows: number;
  columns: ColumnScan[];
  duplicates: number;
  duplicatesEstimated: boolean;
}

export interface Ranges {
  [column: string]: { min: number | null; max: number | null };
}

export async function scanDataset(
  data: Dataset,
  schema: DataSchema,
  opts: { ranges?: Ranges; margin: number; maxTrackedRows: number; progress?: (rows: number) => void },
): Promise<Scan> {
  const num = numericColumns(schema);
  const cat = categoricalColumns(schema);
  const cols: ColumnScan[] = [...num, ...cat].map((c) => ({
    name: c.name,
    kind: c.kind,
    missing: 0,
    invalid: 0,
    nan: 0,
    inf: 0,
    min: null,
    max: null,
    outOfRange: 0,
    farOutOfRange: 0,
  }));
  const bounds = num.map((c) => {
    const r = opts.ranges?.[c.name];
    if (!r || r.min === null || r.max === null) return undefined;
    const span = Math.max(r.max - r.min, Math.abs(r.max), 1e-12) * opts.margin;
    return { lo: r.min, hi: r.max, farLo: r.min - span, farHi: r.max + span };
  });
  const dups = new DuplicateCounter(opts.maxTrackedRows);
  let rows = 0;
  for await (const chunk of data.chunks({ schema })) {
    for (let k = 0; k < num.length; k++) {
      const s = cols[k]!;
      const b = bounds[k];
      s.missing += chunk.missing[k]!;
      s.invalid += chunk.invalid[k]!;
      let nan = 0;
      for (let i = 0; i < chunk.rows; i++) {
        const v = chunk.numeric[i * chunk.width + k]!;
        if (Number.isNaN(v)) nan++;
        else if (!Number.isFinite(v)) s.inf++;
        else {
          if (s.min === null || v < s.min) s.min = v;
          if (s.max === null || v > s.max) s.max = v;
          if (b && (v < b.lo || v > b.hi)) {
            s.outOfRange++;
            if (v < b.farLo || v > b.farHi) s.farOutOfRange++;
          }
        }
      }
      s.nan += nan - chunk.missing[k]! - chunk.invalid[k]!;
    }
    cat.forEach((c, j) => {
      const s = cols[num.length + j]!;
      for (const v of chunk.categorical.get(c.name) ?? []) if (v === null) s.missing++;
    });
    dups.addChunk(
      chunk,
      cat.map((c) => c.name),
    );
    rows += chunk.rows;
    opts.progress?.(rows);
  }
  const d = dups.result();
  return { rows, columns: cols, duplicates: d.duplicates, duplicatesEstimated: d.estimated };
}
