import randu from '@stdlib/random-base-randu';

/**
 * A uniform random sample of at most `capacity` values from a stream of any length (Vitter's
 * algorithm R), seeded so that the same data gives the same sample. Backs the KS tests on data
 * too large to keep: the two-sample test then runs on the samples.
 */
export class Reservoir {
  private readonly values: Float64Array;
  private seen = 0;
  private readonly next: () => number;

  constructor(readonly capacity: number, seed = 1) {
    this.values = new Float64Array(capacity);
    const rand = randu.factory({ seed });
    this.next = () => rand();
  }

  add(value: number): void {
    if (this.seen < this.capacity) this.values[this.seen] = value;
    else {
      const j = Math.floor(this.next() * (this.seen + 1));
      if (j < this.capacity) this.values[j] = value;
    }
    this.seen++;
  }

  /** How many values were offered. */
  get count(): number {
    return this.seen;
  }

  /** The sample, sorted ascending. */
  sorted(): Float64Array {
    return this.values.slice(0, Math.min(this.seen, this.capacity)).sort();
  }
}

/** Sample quantile (linear interpolation) of an ascending array. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
