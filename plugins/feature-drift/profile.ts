import type { Chunk, DataSchema, Dataset } from '../../lib/data/dataset.js';
import { numericColumns } from '../../lib/data/dataset.js';
import { EmptyDataError } from '../errors.js';
import { binCounts } from '../../lib/stats/psi.js';
import { quantileSorted, Reservoir } from '../../lib/stats/reservoir.js';

/**
 * One streaming pass over a dataset that keeps, per column, what the drift tests need: a sorted
 * sample of a numeric column (KS), its counts in the reference's quantile bins (PSI), and the level
 * counts of a categorical column (chi-square).
 */

export interface NumericProfile {
  name: string;
  /** Sorted sample of the finite values. */
  sample: Float64Array;
  /** Finite values seen. */
  count: number;
  /** Cells that were missing, not numbers, NaN or ±Inf. */
  missing: number;
  mean: number;
  /** Counts per PSI bin (present when bin cut points were given). */
  bins?: number[];
}

export interface CategoricalProfile {
  name: string;
  counts: Record<string, number>;
  missing: number;
}

export interface Profile {
  rows: number;
  numeric: NumericProfile[];
  categorical: CategoricalProfile[];
}

export async function profileDataset(
  data: Dataset,
  schema: DataSchema,
  opts: { sampleSize: number; cuts?: Record<string, number[]>; progress?: (rows: number) => void },
): Promise<Profile> {
  const numCols = numericColumns(schema);
  const samples = numCols.map((_, k) => new Reservoir(opts.sampleSize, 101 + k));
  const sums = new Float64Array(numCols.length);
  const bins = numCols.map((c) =>
    opts.cuts?.[c.name] ? new Array<number>(opts.cuts[c.name]!.length + 1).fill(0) : undefined,
  );
  const catNames = schema.columns.filter((c) => c.kind === 'categorical').map((c) => c.name);
  const counts = catNames.map(() => new Map<string, number>());
  const catMissing = new Array<number>(catNames.length).fill(0);
  let rows = 0;
  for await (const chunk of data.chunks({ schema })) {
    addNumeric(
      chunk,
      samples,
      sums,
      bins,
      numCols.map((c) => opts.cuts?.[c.name]),
    );
    catNames.forEach((name, k) => {
      const m = counts[k]!;
      for (const v of chunk.categorical.get(name) ?? []) {
        if (v !== null) m.set(v, (m.get(v) ?? 0) + 1);
        else catMissing[k]!++;
      }
    });
    rows += chunk.rows;
    opts.progress?.(rows);
  }
  if (rows === 0) throw new EmptyDataError(`${data.label} has no rows`);
  return {
    rows,
    numeric: numCols.map((c, k) => ({
      name: c.name,
      sample: samples[k]!.sorted(),
      count: samples[k]!.count,
      missing: rows - samples[k]!.count,
      mean: samples[k]!.count ? sums[k]! / samples[k]!.count : 0,
      bins: bins[k],
    })),
    categorical: catNames.map((name, k) => ({ name, counts: Object.fromEntries(counts[k]!), missing: catMissing[k]! })),
  };
}

function addNumeric(
  chunk: Chunk,
  samples: Reservoir[],
  sums: Float64Array,
  bins: (number[] | undefined)[],
  cuts: (number[] | undefined)[],
): void {
  const col = new Float64Array(chunk.rows);
  for (let k = 0; k < samples.length; k++) {
    let n = 0;
    for (let i = 0; i < chunk.rows; i++) {
      const v = chunk.numeric[i * chunk.width + k]!;
      if (!Number.isFinite(v)) continue; // NaN and Inf are the integrity checker's business
      samples[k]!.add(v);
      sums[k]! += v;
      col[n++] = v;
    }
    if (bins[k]) binCounts(col.subarray(0, n), cuts[k]!, bins[k]);
  }
}

/** Inner cut points at the reference's quantiles, duplicates removed (discrete features get fewer bins). */
export function quantileCuts(sortedSample: Float64Array, bins: number): number[] {
  const cuts: number[] = [];
  for (let b = 1; b < bins; b++) {
    const q = quantileSorted(sortedSample, b / bins);
    if (!Number.isNaN(q) && (cuts.length === 0 || q > cuts.at(-1)!)) cuts.push(q);
  }
  return cuts;
}
