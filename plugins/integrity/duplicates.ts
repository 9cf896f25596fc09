import type { Chunk } from '../../lib/data/dataset.js';

/**
 * Counts duplicate rows in bounded memory: each row is reduced to a 52-bit hash; up to `capacity`
 * hashes are kept exactly, beyond that only hashes divisible by a growing sampling rate are kept
 * and the count is scaled up (an estimate, flagged as such).
 */
export class DuplicateCounter {
  private readonly seen = new Set<number>();
  private rate = 1;
  private dupSampled = 0;
  private readonly f64 = new Float64Array(1);
  private readonly u32 = new Uint32Array(this.f64.buffer);

  constructor(private readonly capacity: number) {}

  addChunk(chunk: Chunk, categorical: string[]): void {
    const cats = categorical.map((n) => chunk.categorical.get(n)!);
    for (let i = 0; i < chunk.rows; i++) {
      let h1 = 0x811c9dc5;
      let h2 = 0x01000193;
      const mix = (w: number) => {
        h1 = Math.imul(h1 ^ w, 0x01000193);
        h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 13);
      };
      for (let k = 0; k < chunk.width; k++) {
        this.f64[0] = chunk.numeric[i * chunk.width + k]!;
        mix(this.u32[0]!);
        mix(this.u32[1]!);
      }
      for (const col of cats) {
        const v = col[i];
        if (v === null || v === undefined) mix(0xdeadbeef);
        else for (let c = 0; c < v.length; c++) mix(v.charCodeAt(c));
        mix(0x1f);
      }
      this.add((h1 >>> 0) * 0x100000 + ((h2 >>> 12) & 0xfffff));
    }
  }

  private add(hash: number): void {
    if (hash % this.rate !== 0) return;
    if (this.seen.has(hash)) {
      this.dupSampled++;
      return;
    }
    this.seen.add(hash);
    if (this.seen.size > this.capacity) {
      this.rate *= 2;
      for (const h of this.seen) if (h % this.rate !== 0) this.seen.delete(h);
      this.dupSampled /= 2; // expected share of earlier duplicates that survive the halving
    }
  }

  /** Rows equal to an earlier row (estimated when sampling kicked in). */
  result(): { duplicates: number; estimated: boolean } {
    return { duplicates: Math.round(this.dupSampled * this.rate), estimated: this.rate > 1 };
  }
}
