/**
 * Population stability index between two count vectors over the same bins:
 * Σ (b − r) · ln(b / r) on shares, with empty bins smoothed by `epsilon`. Rules of thumb:
 * < 0.1 stable, 0.1–0.25 moderate shift, > 0.25 large shift.
 */
export function psi(reference: readonly number[], batch: readonly number[], epsilon = 1e-4): number {
  const m = reference.reduce((a, b) => a + b, 0);
  const n = batch.reduce((a, b) => a + b, 0);
  if (m === 0 || n === 0) return 0;
  let total = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i]! / m, epsilon);
    const b = Math.max(batch[i]! / n, epsilon);
    total += (b - r) * Math.log(b / r);
  }
  return total;
}

/** Counts of values per bin given ascending inner cut points (bins = cuts + 1). NaN is skipped. */
export function binCounts(values: ArrayLike<number>, cuts: readonly number[], into?: number[]): number[] {
  const counts = into ?? new Array<number>(cuts.length + 1).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    let lo = 0;
    let hi = cuts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (v > cuts[mid]!) lo = mid + 1;
      else hi = mid;
    }
    counts[lo]!++;
  }
  return counts;
}
