import randu from '@stdlib/random-base-randu';

/**
 * A uniform random sample of at most `capacity` values from a stream of any length, seeded so
 * that the same data gives the same sample. Uses Li's algorithm L: once the sample is full it
 * draws how many values to skip, so random numbers are spent only on the values kept
 * (O(k·log(n/k)) draws instead of one per value). Backs the KS tests on data too large to keep.
 */
export class Reservoir {
  private readonly values: Float64Array;
  private seen = 0;
  private readonly next: () => number;
  private w = 1;
  /** Index (in the stream) of the next value that enters the sample. */
  private nextIn = 0;

  constructor(
    readonly capacity: number,
    seed = 1,
  ) {
    this.values = new Float64Array(capacity);
    const rand = randu.factory({ seed });
    // (0, 1]: log() of it is finite.
    this.next = () => 1 - rand();
  }

  private skip(): void {
    this.w *= Math.exp(Math.log(this.next()) / this.capacity);
    this.nextIn += Math.floor(Math.log(this.next()) / Math.log(1 - this.w)) + 1;
  }

  add(value: number): void {
    if (this.seen < this.capacity) {
      this.values[this.seen] = value;
      if (this.seen === this.capacity - 1) {
        this.nextIn = this.seen;
        this.skip();
      }
    } else if (this.seen === this.nextIn) {
      this.values[Math.floor(this.next() * this.capacity) % this.capacity] = value;
      this.skip();
    }
    this.seen++;
  }

  /**
   * The same as `add` for each value in order, but once the sample is full it jumps straight to
   * the values that enter it: the cost is in the values kept, not the values seen.
   */
  addAll(values: ArrayLike<number>): void {
    const n = values.length;
    let i = 0;
    while (i < n && this.seen < this.capacity) this.add(values[i++]!);
    while (i < n) {
      const ahead = this.nextIn - this.seen;
      if (i + ahead >= n) {
        this.seen += n - i;
        return;
      }
      i += ahead;
      this.seen += ahead;
      this.add(values[i++]!);
    }
  }

  /** `addAll` of the values that are not NaN. */
  addFinite(values: ArrayLike<number>): void {
    let clean = true;
    for (let i = 0; i < values.length && clean; i++) clean = !Number.isNaN(values[i]!);
    if (clean) this.addAll(values);
    else for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) this.add(values[i]!);
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
