import binomcoefln from '@stdlib/math-base-special-binomcoefln';
import randu from '@stdlib/random-base-randu';

/**
 * The hypergeometric distribution: K successes among N items, n drawn without replacement.
 * Tails are summed term by term from the first term (one log-binomial evaluation) with the
 * ratio between neighbouring terms, so a tail of 1e-40 is 1e-40 and not 1 − 1.
 */

function logPmf(k: number, total: number, successes: number, drawn: number): number {
  return binomcoefln(successes, k) + binomcoefln(total - successes, drawn - k) - binomcoefln(total, drawn);
}

/** pmf(k + 1) ÷ pmf(k). */
function ratioUp(k: number, total: number, successes: number, drawn: number): number {
  return ((successes - k) * (drawn - k)) / ((k + 1) * (total - successes - drawn + k + 1));
}

/** P(X ≥ k) for X ~ hypergeometric(total, successes, drawn). */
export function hypergeometricUpperTail(k: number, total: number, successes: number, drawn: number): number {
  const lo = Math.max(0, drawn - (total - successes));
  const hi = Math.min(successes, drawn);
  if (k <= lo) return 1;
  if (k > hi) return 0;
  const mean = (drawn * successes) / total;
  const sumFrom = (from: number, step: 1 | -1) => {
    let term = 1;
    let sum = 0;
    for (let i = from; ; i += step) {
      sum += term;
      const next = i + step;
      if (next < lo || next > hi || term < 1e-17 * sum) break;
      term *= step === 1 ? ratioUp(i, total, successes, drawn) : 1 / ratioUp(next, total, successes, drawn);
    }
    return Math.exp(logPmf(from, total, successes, drawn)) * sum;
  };
  const p = k > mean ? sumFrom(k, 1) : 1 - sumFrom(k - 1, -1);
  return Math.min(1, Math.max(0, p));
}

export interface ShareIncreaseTest {
  /** Batch rows with the property (a missing cell, a NaN, …) and batch rows in all. */
  count: number;
  n: number;
  referenceCount: number;
  m: number;
  /** P(at least `count` of the batch's rows | the pooled total), Fisher's exact one-sided test. */
  pValue: number;
  /** The smallest p-value the test could give with this pooled total (1 when nothing has the property): for Tarone. */
  minPValue: number;
}

/**
 * Is a share (missing cells, non-finite values, unscorable rows, …) higher in the batch than in
 * the reference? Fisher's exact test, one-sided: given how many of the m + n rows have the
 * property, the batch's count is hypergeometric when both are drawn from the same population, so
 * the false-alarm rate is at most alpha for any population, however rare the property.
 */
export function shareIncreaseTest(count: number, n: number, referenceCount: number, m: number): ShareIncreaseTest {
  const pooled = count + referenceCount;
  const pValue = n === 0 ? 1 : hypergeometricUpperTail(count, m + n, pooled, n);
  const minPValue = n === 0 ? 1 : hypergeometricUpperTail(Math.min(pooled, n), m + n, pooled, n);
  return { count, n, referenceCount, m, pValue, minPValue };
}

/**
 * A seeded sampler of hypergeometric(total, successes, drawn) counts: the pmf is built outwards
 * from the mode (relative to it, so nothing underflows) until its terms are negligible, and a
 * uniform draw is inverted on it.
 */
export function hypergeometricSample(seed: number): (total: number, successes: number, drawn: number) => number {
  const rand = randu.factory({ seed });
  return (total, successes, drawn) => {
    const lo = Math.max(0, drawn - (total - successes));
    const hi = Math.min(successes, drawn);
    if (lo === hi) return lo;
    const mode = Math.min(hi, Math.max(lo, Math.floor(((drawn + 1) * (successes + 1)) / (total + 2))));
    const down: number[] = [];
    for (let k = mode, t = 1; k > lo && t > 1e-16; k--) {
      t /= ratioUp(k - 1, total, successes, drawn);
      down.push(t);
    }
    const up: number[] = [];
    for (let k = mode, t = 1; k < hi && t > 1e-16; k++) {
      t *= ratioUp(k, total, successes, drawn);
      up.push(t);
    }
    let sum = 1;
    for (const t of down) sum += t;
    for (const t of up) sum += t;
    let u = rand() * sum;
    for (let i = down.length - 1; i >= 0; i--) {
      u -= down[i]!;
      if (u < 0) return mode - 1 - i;
    }
    u -= 1;
    if (u < 0) return mode;
    for (let i = 0; i < up.length; i++) {
      u -= up[i]!;
      if (u < 0) return mode + 1 + i;
    }
    return mode + up.length;
  };
}
