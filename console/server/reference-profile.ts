import { parse } from 'csv-parse/sync';
import type { ReferenceProfile } from '../../common/console-api.js';

/** Values at quantile q of sorted numbers (linear between neighbours). */
function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

/**
 * The typical values of each numeric feature of a labeled set (a CSV with a label column): the
 * median and the middle half (25th to 75th percentile) over all rows, and the median of each
 * label's rows, so a labeler sees a sample's values beside what each label usually looks like.
 * `columns` limits the profile to the features a sample shows.
 */
export function referenceProfile(csv: string, labelColumn: string, columns: string[]): ReferenceProfile {
  const rows = parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const labels = rows.map((r) => r[labelColumn] ?? '');
  const out: ReferenceProfile['columns'] = [];
  for (const name of columns) {
    if (name === labelColumn || !rows[0] || !(name in rows[0])) continue;
    const values = rows.map((r) => Number(r[name]));
    const numeric = values.filter((v) => Number.isFinite(v));
    if (numeric.length === 0) continue;
    const sorted = [...numeric].sort((a, b) => a - b);
    const byLabel: Record<string, number[]> = {};
    values.forEach((v, i) => {
      if (Number.isFinite(v)) (byLabel[labels[i]!] ??= []).push(v);
    });
    out.push({
      name,
      median: quantile(sorted, 0.5),
      p25: quantile(sorted, 0.25),
      p75: quantile(sorted, 0.75),
      byLabel: Object.fromEntries(Object.entries(byLabel).map(([label, xs]) => [label, median(xs)])),
    });
  }
  return { rows: rows.length, labelColumn, columns: out };
}
