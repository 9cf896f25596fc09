import gammainc from '@stdlib/math-base-special-gammainc';
import { hypergeometricSample } from './hypergeometric.js';

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
  /** How the p-value was found: the chi-square distribution, or tables simulated with the same margins. */
  method?: 'asymptotic' | 'monte-carlo';
}

/**
 * P(X ≥ statistic) for X ~ chi-square(df), from the regularized upper incomplete gamma function,
 * so that a very strong difference reports p ≈ 1e-27 instead of 1 − cdf rounding to 0.
 */
export function chiSquareSurvival(statistic: number, df: number): number {
  if (df <= 0 || !(statistic > 0)) return 1;
  if (statistic === Number.POSITIVE_INFINITY) return 0;
  return Math.min(1, Math.max(0, gammainc(statistic / 2, df / 2, true, true)));
}

function homogeneityStatistic(reference: readonly number[], batch: readonly number[], m: number, n: number) {
  let statistic = 0;
  let levels = 0;
  let minExpected = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reference.length; i++) {
    const total = reference[i]! + batch[i]!;
    if (total === 0) continue;
    levels++;
    const eRef = (total * m) / (m + n);
    const eBatch = (total * n) / (m + n);
    minExpected = Math.min(minExpected, eRef, eBatch);
    statistic += (reference[i]! - eRef) ** 2 / eRef + (batch[i]! - eBatch) ** 2 / eBatch;
  }
  return { statistic, levels, minExpected };
}

export interface HomogeneityOptions {
  /**
   * Below this expected count in any cell the chi-square approximation is not trusted and the
   * p-value is simulated instead (R's `chisq.test(simulate.p.value = TRUE)`): tables with the same
   * margins are drawn as exchangeability says, and p = (1 + tables at least as extreme) / (1 + draws).
   */
  minExpected?: number;
  /** Tables drawn when simulating. */
  draws?: number;
  seed?: number;
}

/**
 * Chi-square test of homogeneity between two count vectors over the same levels (a 2×k table):
 * did both samples come from the same categorical distribution? Levels empty in both are dropped.
 * With small expected counts (rare levels, small batches) the p-value is simulated, which keeps
 * the false-alarm rate at alpha where the asymptotic one does not.
 */
export function chiSquareHomogeneity(
  reference: readonly number[],
  batch: readonly number[],
  opts: HomogeneityOptions = {},
): ChiSquareResult {
  const m = reference.reduce((a, b) => a + b, 0);
  const n = batch.reduce((a, b) => a + b, 0);
  if (m === 0 || n === 0) return { statistic: 0, df: 0, pValue: 1, method: 'asymptotic' };
  const { statistic, levels, minExpected } = homogeneityStatistic(reference, batch, m, n);
  const df = levels - 1;
  if (df <= 0) return { statistic, df: Math.max(0, df), pValue: 1, method: 'asymptotic' };
  if (minExpected >= (opts.minExpected ?? 5))
    return { statistic, df, pValue: chiSquareSurvival(statistic, df), method: 'asymptotic' };
  // Simulated: the batch's counts are a multivariate hypergeometric draw of n from the pooled counts.
  const draws = opts.draws ?? 4999;
  const totals = reference.map((r, i) => r + batch[i]!).filter((t) => t > 0);
  const draw = hypergeometricSample(opts.seed ?? 17);
  const simRef = new Array<number>(totals.length);
  const simBatch = new Array<number>(totals.length);
  let extreme = 0;
  for (let d = 0; d < draws; d++) {
    let left = m + n;
    let need = n;
    for (let i = 0; i < totals.length; i++) {
      const t = totals[i]!;
      const b = need === 0 ? 0 : i === totals.length - 1 ? need : draw(left, t, need);
      simBatch[i] = b;
      simRef[i] = t - b;
      need -= b;
      left -= t;
    }
    if (homogeneityStatistic(simRef, simBatch, m, n).statistic >= statistic * (1 - 1e-12)) extreme++;
  }
  return { statistic, df, pValue: (1 + extreme) / (1 + draws), method: 'monte-carlo' };
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
  return { statistic, df, pValue: chiSquareSurvival(statistic, df), method: 'asymptotic' };
}
