/** Histograms of a reference and a batch on shared bins, as the report plot draws them. */
export interface HistogramPair {
  /** What was binned (e.g. "reconstruction error"). */
  label: string;
  /** bins + 1 ascending edges; the last bin also holds everything above the last edge. */
  edges: number[];
  reference: number[];
  batch: number[];
  /** Where the alarm threshold lies on the same axis (e.g. the reference p99). */
  threshold?: number;
}

/** `bins` equal bins from lo to hi (0 to 1 when nothing was finite, one wide when lo = hi), and the bin of a value. */
function equalBins(lo: number, hi: number, bins: number): { edges: number[]; bin: (v: number) => number } {
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi <= lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  return {
    edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width),
    bin: (v) => Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width))),
  };
}

/** Equal-width bins from the minimum to the maximum of both samples. */
export function histogramPair(
  label: string,
  reference: ArrayLike<number>,
  batch: ArrayLike<number>,
  bins = 40,
  threshold?: number,
): HistogramPair {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const xs of [reference, batch]) {
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  const { edges, bin } = equalBins(lo, hi, bins);
  const count = (xs: ArrayLike<number>) => {
    const out = new Array<number>(bins).fill(0);
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      if (!Number.isFinite(v)) continue;
      out[bin(v)]!++;
    }
    return out;
  };
  return { label, edges, reference: count(reference), batch: count(batch), threshold };
}

/**
 * histogramPair of f(reference) and f(batch) for ascending samples and an increasing f, with the
 * same bins and counts, but without transforming every value: each bin's first value is found by
 * binary search, so the cost is the bins' logarithms instead of a pass over the samples.
 */
export function histogramPairSorted(
  label: string,
  reference: ArrayLike<number>,
  batch: ArrayLike<number>,
  f: (v: number) => number,
  bins = 40,
  threshold?: number,
): HistogramPair {
  /** [first, end) of the values whose f is finite (a contiguous run, f being increasing). */
  const finite = (xs: ArrayLike<number>): [number, number] => {
    let first = 0;
    let end = xs.length;
    while (first < end && !Number.isFinite(f(xs[first]!))) first++;
    while (end > first && !Number.isFinite(f(xs[end - 1]!))) end--;
    return [first, end];
  };
  const runs = [finite(reference), finite(batch)] as const;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  [reference, batch].forEach((xs, k) => {
    const [first, end] = runs[k]!;
    if (first < end) {
      lo = Math.min(lo, f(xs[first]!));
      hi = Math.max(hi, f(xs[end - 1]!));
    }
  });
  const { edges, bin: binOf } = equalBins(lo, hi, bins);
  const bin = (v: number) => binOf(f(v));
  const count = (xs: ArrayLike<number>, [first, end]: readonly [number, number]) => {
    const out = new Array<number>(bins).fill(0);
    let start = first;
    for (let k = 0; k < bins && start < end; k++) {
      // The first value past bin k.
      let a = start;
      let b = end;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (bin(xs[mid]!) <= k) a = mid + 1;
        else b = mid;
      }
      out[k] = a - start;
      start = a;
    }
    return out;
  };
  return { label, edges, reference: count(reference, runs[0]), batch: count(batch, runs[1]), threshold };
}
