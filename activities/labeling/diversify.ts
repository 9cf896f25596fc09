/** One candidate for a batch: its score and the features it was scored on. */
export interface Candidate {
  index: number;
  score: number;
  features: Float32Array;
}

/** How many of the highest-scoring samples a diversified batch is drawn from, per sample asked. */
export const DIVERSIFY_POOL_FACTOR = 5;

function distance2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return s;
}

/**
 * Picks `k` of the candidates so that near-duplicates are not all asked about: the best-scoring
 * first, then, again and again, the candidate farthest from everything picked so far
 * (farthest-first traversal, a greedy k-center), breaking ties by score. The candidates are
 * the top `DIVERSIFY_POOL_FACTOR × k` by score, so every pick is still informative.
 * Returns the picks in score order.
 */
export function diversify(candidates: Candidate[], k: number): Candidate[] {
  if (candidates.length <= k) return [...candidates].sort((a, b) => b.score - a.score || a.index - b.index);
  const byScore = [...candidates].sort((a, b) => b.score - a.score || a.index - b.index);
  const picked: Candidate[] = [byScore[0]!];
  const nearest = byScore.map((c) => distance2(c.features, byScore[0]!.features));
  const taken = new Set<number>([0]);
  while (picked.length < k) {
    let best = -1;
    for (let i = 0; i < byScore.length; i++) {
      if (taken.has(i)) continue;
      // byScore is in score order, so a strictly greater distance is needed to pass over a better score.
      if (best < 0 || nearest[i]! > nearest[best]!) best = i;
    }
    taken.add(best);
    picked.push(byScore[best]!);
    for (let i = 0; i < byScore.length; i++)
      if (!taken.has(i)) nearest[i] = Math.min(nearest[i]!, distance2(byScore[i]!.features, byScore[best]!.features));
  }
  return picked.sort((a, b) => b.score - a.score || a.index - b.index);
}
