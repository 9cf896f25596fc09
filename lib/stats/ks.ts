/**
 * Two-sample Kolmogorov–Smirnov test on sorted samples, ties handled (both empirical CDFs step
 * through a run of equal values before they are compared).
 *
 * Two-sided p-values are exact (the share of lattice paths that leave the band, as scipy's
 * `ks_2samp(method='exact')`) when n·m is at most EXACT_LIMIT, otherwise the asymptotic ones with
 * the effective size ne = n·m/(n+m) through the Kolmogorov survival function with Stephens'
 * small-sample correction, summed as a series (no 1 − cdf), so a strong shift reports p ≈ 1e-27
 * instead of 0. One-sided: Smirnov's exp(-2·ne·D²). With ties (discrete data) all are conservative.
 */

/** Largest n·m for which the two-sided p-value is computed exactly (an O(n·m) pass). */
export const EXACT_LIMIT = 50_000;

export interface KsResult {
  /** sup |F_a − F_b| */
  d: number;
  /** sup (F_a − F_b): large when b's values are larger than a's. */
  dPlus: number;
  /** Two-sided p-value for D. */
  pValue: number;
  /** One-sided p-value for "b is stochastically larger than a". */
  pGreater: number;
}

/** Kolmogorov's survival function Q(λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²). */
export function kolmogorovQ(lambda: number): number {
  if (lambda < 0.2) return 1;
  // Past λ = 1 the first term holds all but 1e-5 of the sum: exp(log 2 − 2λ² + log1p(…)), no cancellation.
  if (lambda > 1) return Math.exp(kolmogorovLogQ(lambda));
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
}

/** log Q(λ) for λ > 1: log 2 − 2λ² + log(1 − e^(−6λ²) + e^(−16λ²) − …), finite however large λ is. */
export function kolmogorovLogQ(lambda: number): number {
  const l2 = lambda * lambda;
  let rest = 0;
  for (let k = 2; k <= 20; k++) {
    const term = Math.exp(-2 * (k * k - 1) * l2);
    rest += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return Math.LN2 - 2 * l2 + Math.log1p(rest);
}

/**
 * P(D ≥ d) for two samples of n and m distinct values under "same distribution": 1 − the share of
 * monotone lattice paths from (0,0) to (n,m) that stay inside |i/n − j/m| < d. The share is
 * carried as a probability (paths to (i,j) ÷ C(i+j, i)), so nothing overflows.
 */
export function ksExactPValue(d: number, n: number, m: number): number {
  const tol = 1e-9;
  const inside = (i: number, j: number) => Math.abs(i / n - j / m) < d - tol;
  const row = new Float64Array(m + 1);
  row[0] = 1;
  for (let j = 1; j <= m; j++) row[j] = inside(0, j) ? row[j - 1]! : 0;
  for (let i = 1; i <= n; i++) {
    row[0] = inside(i, 0) ? row[0]! : 0;
    for (let j = 1; j <= m; j++) row[j] = inside(i, j) ? (row[j]! * i) / (i + j) + (row[j - 1]! * j) / (i + j) : 0;
  }
  return Math.min(1, Math.max(0, 1 - row[m]!));
}

export function ksTwoSample(sortedA: ArrayLike<number>, sortedB: ArrayLike<number>): KsResult {
  const n = sortedA.length;
  const m = sortedB.length;
  if (n === 0 || m === 0) return { d: 0, dPlus: 0, pValue: 1, pGreater: 1 };
  let i = 0;
  let j = 0;
  let d = 0;
  let dPlus = 0;
  while (i < n && j < m) {
    // Step both CDFs through the next value x (the run of values equal to it, in either sample).
    const a = sortedA[i]!;
    const b = sortedB[j]!;
    if (a <= b) while (i < n && sortedA[i] === a) i++;
    if (b <= a) while (j < m && sortedB[j] === b) j++;
    const diff = i / n - j / m;
    if (diff > dPlus) dPlus = diff;
    else if (-diff > d) d = -diff;
  }
  if (dPlus > d) d = dPlus;
  const ne = (n * m) / (n + m);
  const sqrtNe = Math.sqrt(ne);
  const asymptotic = kolmogorovQ((sqrtNe + 0.12 + 0.11 / sqrtNe) * d);
  // The exact p-value loses its digits below about 1e-12 (1 − a share near 1): the series is better there.
  const exact = n * m <= EXACT_LIMIT && d > 0 ? ksExactPValue(d, n, m) : undefined;
  const pValue = exact !== undefined && exact > 1e-12 ? exact : d > 0 ? asymptotic : 1;
  const pGreater = Math.min(1, Math.exp(-2 * ne * dPlus * dPlus));
  return { d, dPlus, pValue, pGreater };
}

/** Sorts a copy, with NaN left out. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) out[k++] = values[i]!;
  return out.subarray(0, k).sort();
}
