import type { DataSchema, Dataset } from '../../lib/data/dataset.js';
import { categoricalColumns, numericColumns } from '../../lib/data/dataset.js';
import type { ColumnAssertion } from './config.js';
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
  /** Finite values strictly outside the given reference [min, max]. */
  outOfRange: number;
  /** Values that break the column's assertions: below `min`, above `max`, or not one of `levels`. */
  belowMin: number;
  aboveMax: number;
  unknownLevels: number;
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

export interface ScanOptions {
  /** The reference's ranges: finite values outside them are counted. */
  ranges?: Ranges;
  assertions?: Record<string, ColumnAssertion>;
  maxTrackedRows: number;
  progress?: (rows: number) => void;
}

export async function scanDataset(data: Dataset, schema: DataSchema, opts: ScanOptions): Promise<Scan> {
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
    belowMin: 0,
    aboveMax: 0,
    unknownLevels: 0,
  }));
  const bounds = num.map((c) => {
    const r = opts.ranges?.[c.name];
    const a = opts.assertions?.[c.name];
    return {
      lo: r?.min ?? Number.NEGATIVE_INFINITY,
      hi: r?.max ?? Number.POSITIVE_INFINITY,
      ranged: r !== undefined && r.min !== null,
      aMin: a?.min ?? Number.NEGATIVE_INFINITY,
      aMax: a?.max ?? Number.POSITIVE_INFINITY,
    };
  });
  const levels = cat.map((c) => {
    const allowed = opts.assertions?.[c.name]?.levels;
    return allowed ? new Set(allowed) : undefined;
  });
  const dups = new DuplicateCounter(opts.maxTrackedRows);
  let rows = 0;
  for await (const chunk of data.chunks({ schema })) {
    for (let k = 0; k < num.length; k++) {
      const s = cols[k]!;
      const b = bounds[k]!;
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
          if (b.ranged && (v < b.lo || v > b.hi)) s.outOfRange++;
        }
        if (v < b.aMin) s.belowMin++;
        if (v > b.aMax) s.aboveMax++;
      }
      s.nan += nan - chunk.missing[k]! - chunk.invalid[k]!;
    }
    cat.forEach((c, j) => {
      const s = cols[num.length + j]!;
      const allowed = levels[j];
      for (const v of chunk.categorical.get(c.name) ?? []) {
        if (v === null) s.missing++;
        else if (allowed && !allowed.has(v)) s.unknownLevels++;
      }
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

/** Finite values of a scanned column. */
export const finiteCount = (c: ColumnScan, rows: number) => rows - c.missing - c.invalid - c.nan - c.inf;
