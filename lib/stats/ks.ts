/**
 * Two-sample Kolmogorov–Smirnov test on sorted samples, ties handled (both empirical CDFs step
 * through a run of equal values before they are compared).
 *
 * p-values are the asymptotic ones with the effective size ne = n·m/(n+m): two-sided through the
 * Kolmogorov distribution with Stephens' small-sample correction, one-sided through Smirnov's
 * exp(-2·ne·D²). With ties (discrete data) both are conservative.
 */

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
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-16) break;
  }
  return Math.min(1, Math.max(0, 2 * sum));
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
  const pValue = kolmogorovQ((sqrtNe + 0.12 + 0.11 / sqrtNe) * d);
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
