import randu from '@stdlib/random-base-randu';
import { Reservoir } from './reservoir.js';

/**
 * A systematic sample of at most `capacity` values from a stream whose length is known ahead (a
 * .npy batch): every (total ÷ capacity)-th value from a seeded random start. It is spread evenly
 * over the stream's order (stratified, so a batch that drifts half-way is sampled in proportion)
 * and costs no random draw per value, where a reservoir spends several on each value it keeps.
 * NaN values are passed over (the sample is then a little smaller).
 */
export class StrideSample {
  private readonly values: Float64Array;
  private readonly step: number;
  private size = 0;
  private seen = 0;
  /** Stream position of the next value to take (fractional; taken at its floor). */
  private next: number;

  constructor(
    readonly capacity: number,
    readonly total: number,
    seed = 1,
  ) {
    this.values = new Float64Array(Math.min(capacity, total));
    this.step = Math.max(1, total / capacity);
    this.next = this.step > 1 ? randu.factory({ seed })() * this.step : 0;
  }

  /**
   * Offers the stream's next values, in order. The sample is kept sorted as it grows (the values
   * taken are sorted and merged in), so that sorting costs nothing after the stream's last values.
   */
  addFinite(values: ArrayLike<number>): void {
    const end = this.seen + values.length;
    const before = this.size;
    for (; this.next < end && this.size < this.values.length; this.next += this.step) {
      const v = values[Math.floor(this.next) - this.seen]!;
      if (!Number.isNaN(v)) this.values[this.size++] = v;
    }
    this.seen = end;
    if (this.size > before) this.mergeFrom(before);
  }

  /** Sorts values[from, size) and merges them into the sorted values[0, from), from the back. */
  private mergeFrom(from: number): void {
    const xs = this.values;
    const run = xs.slice(from, this.size).sort();
    let i = from - 1;
    let j = run.length - 1;
    let o = this.size - 1;
    while (j >= 0) xs[o--] = i >= 0 && xs[i]! > run[j]! ? xs[i--]! : run[j--]!;
  }

  /** How many values were offered. */
  get count(): number {
    return this.seen;
  }

  /** The sample, sorted ascending (a copy). */
  sorted(): Float64Array {
    return this.values.slice(0, this.size);
  }
}

/** A sample of a stream: systematic when its length is known ahead, a reservoir otherwise. */
export function streamSample(capacity: number, total: number | undefined, seed: number): StrideSample | Reservoir {
  return total === undefined ? new Reservoir(capacity, seed) : new StrideSample(capacity, total, seed);
}
