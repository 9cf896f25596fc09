/** The k largest scores of a stream with their indices, kept in a min-heap (O(log k) per value). */
export class TopK {
  private readonly scores: number[] = [];
  private readonly ids: number[] = [];

  constructor(readonly k: number) {}

  /** The smallest score that would still enter (−∞ until the heap is full). */
  get floor(): number {
    return this.scores.length < this.k ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  add(score: number, id: number): void {
    if (this.k <= 0 || Number.isNaN(score)) return;
    if (this.scores.length < this.k) {
      this.scores.push(score);
      this.ids.push(id);
      this.up(this.scores.length - 1);
    } else if (score > this.scores[0]!) {
      this.scores[0] = score;
      this.ids[0] = id;
      this.down(0);
    }
  }

  /** Largest first. */
  result(): { id: number; score: number }[] {
    return this.scores
      .map((score, i) => ({ id: this.ids[i]!, score }))
      .sort((a, b) => b.score - a.score || a.id - b.id);
  }

  private swap(a: number, b: number): void {
    [this.scores[a], this.scores[b]] = [this.scores[b]!, this.scores[a]!];
    [this.ids[a], this.ids[b]] = [this.ids[b]!, this.ids[a]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.scores[p]! <= this.scores[i]!) return;
      this.swap(p, i);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.scores.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let s = i;
      if (l < n && this.scores[l]! < this.scores[s]!) s = l;
      if (r < n && this.scores[r]! < this.scores[s]!) s = r;
      if (s === i) return;
      this.swap(s, i);
      i = s;
    }
  }
}
