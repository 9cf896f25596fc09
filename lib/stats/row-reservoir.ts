import randu from '@stdlib/random-base-randu';

/**
 * A uniform random sample of at most `capacity` rows (each `width` numbers) from a stream of rows
 * of any length, seeded (Vitter's algorithm R: each row past the first `capacity` replaces a
 * random kept row with probability capacity / rows seen). Rows are copied into one flat array.
 */
export class RowReservoir {
  readonly values: Float64Array;
  private seen = 0;
  private readonly rand: () => number;

  constructor(
    readonly capacity: number,
    readonly width: number,
    seed = 1,
  ) {
    this.values = new Float64Array(capacity * width);
    this.rand = randu.factory({ seed });
  }

  /** Offers row `i` of a row-major block whose row stride is `stride`, taking the columns `pick`. */
  add(block: ArrayLike<number>, offset: number, pick: readonly number[]): void {
    let slot = this.seen;
    if (slot >= this.capacity) {
      slot = Math.floor(this.rand() * (this.seen + 1));
      if (slot >= this.capacity) {
        this.seen++;
        return;
      }
    }
    const base = slot * this.width;
    for (let k = 0; k < pick.length; k++) this.values[base + k] = block[offset + pick[k]!]!;
    this.seen++;
  }

  /** Rows offered. */
  get count(): number {
    return this.seen;
  }

  /** Rows kept. */
  get rows(): number {
    return Math.min(this.seen, this.capacity);
  }

  /** The kept rows, row-major (a view). */
  sample(): Float64Array {
    return this.values.subarray(0, this.rows * this.width);
  }
}
