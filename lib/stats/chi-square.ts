import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

function upperTail(statistic: number, df: number): number {
  if (df <= 0) return 1;
  return Math.min(1, Math.max(0, 1 - chisquareCdf(statistic, df)));
}

/**
 * Chi-square test of homogeneity between two count vectors over the same levels (a 2×k table):
 * did both samples come from the same categorical distribution? Levels empty in both are dropped.
 */
export function chiSquareHomogeneity(reference: readonly number[], batch: readonly number[]): ChiSquareResult {
  const m = reference.reduce((a, b) => a + b, 0);
  const n = batch.reduce((a, b) => a + b, 0);
  if (m === 0 || n === 0) return { statistic: 0, df: 0, pValue: 1 };
  let statistic = 0;
  let levels = 0;
  for (let i = 0; i < reference.length; i++) {
    const total = reference[i]! + batch[i]!;
    if (total === 0) continue;
    levels++;
    const eRef = (total * m) / (m + n);
    const eBatch = (total * n) / (m + n);
    statistic += (reference[i]! - eRef) ** 2 / eRef + (batch[i]! - eBatch) ** 2 / eBatch;
  }
  const df = levels - 1;
  return { statistic, df, pValue: upperTail(statistic, df) };
}

/** Chi-square goodness-of-fit of observed counts against fixed expected proportions. */
export function chiSquareGoodnessOfFit(observed: readonly number[], proportions: readonly number[]): ChiSquareResult {
  const n = observed.reduce((a, b) => a + b, 0);
  const total = proportions.reduce((a, b) => a + b, 0);
  if (n === 0 || total <= 0) return { statistic: 0, df: 0, pValue: 1 };
  let statistic = 0;
  let levels = 0;
  for (let i = 0; i < observed.length; i++) {
    const expected = (n * proportions[i]!) / total;
    if (expected <= 0) {
      if (observed[i]! > 0) return { statistic: Number.POSITIVE_INFINITY, df: observed.length - 1, pValue: 0 };
      continue;
    }
    levels++;
    statistic += (observed[i]! - expected) ** 2 / expected;
  }
  const df = levels - 1;
  return { statistic, df, pValue: upperTail(statistic, df) };
}
