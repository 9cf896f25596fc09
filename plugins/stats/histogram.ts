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

/** Equal-width bins from the minimum to the maximum of both samples. */
export function histogramPair(label: string, reference: ArrayLike<number>, batch: ArrayLike<number>, bins = 40, threshold?: number): HistogramPair {
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
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi <= lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const count = (xs: ArrayLike<number>) => {
    const out = new Array<number>(bins).fill(0);
    for (let i = 0; i < xs.length; i++) {
      const v = xs[i]!;
      if (!Number.isFinite(v)) continue;
      out[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]!++;
    }
    return out;
  };
  return { label, edges, reference: count(reference), batch: count(batch), threshold };
}
