import { gaussian, shuffled } from '../../test/builders/data-tools.js';
import type { EvalDataset } from './datasets.js';

/**
 * Reference/batch splits of one data set. The pool is every row of the classes the data set does
 * not hold back; a split shuffles it with its seed, takes the batch from it (and, for unseen
 * classes, from the held-back class) and leaves the rest as the reference. Without a shift the
 * two are an i.i.d. split of the pool, so every alarm is a false one.
 */

export type ShiftKind = 'none' | 'scaling' | 'balance' | 'subpopulation' | 'noise' | 'unseen';

export interface ScenarioSpec {
  shift: ShiftKind;
  /** Size of the shift (scaling factor, noise in standard deviations); the default for the kind when absent. */
  level?: number;
}

export interface Split {
  /** Row indices (into the data set) of the reference. */
  reference: Int32Array;
  /** The batch's values (rows × features) and labels. */
  batch: Float64Array;
  batchLabels: string[];
  batchRows: number;
}

export const DEFAULT_LEVEL: Record<ShiftKind, number> = {
  none: 0,
  scaling: 1.5,
  balance: 0,
  subpopulation: 0,
  noise: 0.5,
  unseen: 0.3,
};

export const SHIFT_TEXT: Record<ShiftKind, (level: number) => string> = {
  none: () => 'i.i.d. split (no shift)',
  scaling: (s) => `3 columns scaled ×${s}`,
  balance: () => 'class balance: the largest class doubled (≥ +25 points)',
  subpopulation: () => 'subpopulation: batch from some classes only',
  noise: (s) => `Gaussian noise, ${s} sd on every column`,
  unseen: (s) => `unseen class: ${Math.round(100 * s)}% of the batch`,
};

/** What a data set's splits share: its pool, held-back rows, column spreads, and the columns a scaling shift hits. */
export interface SplitPlan {
  data: EvalDataset;
  pool: number[];
  hidden: number[];
  sd: Float64Array;
  scaled: number[];
  /** The pool's largest class (the one a balance shift favours) and its pool share. */
  major: string;
  majorShare: number;
}

export function planSplits(data: EvalDataset): SplitPlan {
  const d = data.features.length;
  const all = Array.from({ length: data.rows }, (_, i) => i);
  const pool = all.filter((i) => data.labels[i] !== data.hiddenClass);
  const hidden = all.filter((i) => data.labels[i] === data.hiddenClass);
  const sd = new Float64Array(d);
  const distinct: number[] = [];
  for (let k = 0; k < d; k++) {
    let s = 0;
    let s2 = 0;
    const seen = new Set<number>();
    for (const i of pool) {
      const v = data.values[i * d + k]!;
      s += v;
      s2 += v * v;
      seen.add(v);
    }
    const mean = s / pool.length;
    sd[k] = Math.sqrt(Math.max(0, s2 / pool.length - mean * mean));
    distinct.push(seen.size);
  }
  // The three most finely graded columns (most distinct values), so that scaling them shows.
  const scaled = distinct
    .map((c, k) => ({ c, k }))
    .sort((a, b) => b.c - a.c || a.k - b.k)
    .slice(0, 3)
    .map((x) => x.k);
  const counts = new Map<string, number>();
  for (const i of pool) counts.set(data.labels[i]!, (counts.get(data.labels[i]!) ?? 0) + 1);
  const [major, majorCount] = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
  return { data, pool, hidden, sd, scaled, major, majorShare: majorCount / pool.length };
}

/** The batch sizes of a data set: a tiny one and half the pool (at most 600). */
export function batchSizes(plan: SplitPlan): { small: number; large: number } {
  return { small: 25, large: Math.min(600, Math.floor(plan.pool.length / 2)) };
}

export function makeSplit(plan: SplitPlan, scenario: ScenarioSpec, size: number, seed: number): Split {
  const { data } = plan;
  const d = data.features.length;
  const level = scenario.level ?? DEFAULT_LEVEL[scenario.shift];
  const order = shuffled(plan.pool, seed * 7919 + 17);
  let batchRows: number[];
  let rest: number[];
  if (scenario.shift === 'balance' || scenario.shift === 'subpopulation') {
    const wanted =
      scenario.shift === 'balance'
        ? Math.round(size * Math.min(0.9, Math.max(2 * plan.majorShare, plan.majorShare + 0.25)))
        : size;
    const inGroup = (i: number) =>
      scenario.shift === 'balance' ? data.labels[i] === plan.major : data.subpopulation.includes(data.labels[i]!);
    const group = order.filter(inGroup).slice(0, wanted);
    const others = scenario.shift === 'balance' ? order.filter((i) => !inGroup(i)).slice(0, size - group.length) : [];
    batchRows = [...group, ...others];
    const taken = new Set(batchRows);
    rest = order.filter((i) => !taken.has(i));
  } else if (scenario.shift === 'unseen') {
    const fromHidden = Math.min(plan.hidden.length, Math.round(size * level));
    batchRows = [...order.slice(0, size - fromHidden), ...shuffled(plan.hidden, seed + 5).slice(0, fromHidden)];
    rest = order.slice(size - fromHidden);
  } else {
    batchRows = order.slice(0, size);
    rest = order.slice(size);
  }
  batchRows = shuffled(batchRows, seed + 3);
  const batch = new Float64Array(batchRows.length * d);
  const noise = gaussian(seed + 11);
  batchRows.forEach((row, r) => {
    for (let k = 0; k < d; k++) {
      let v = data.values[row * d + k]!;
      if (scenario.shift === 'scaling' && plan.scaled.includes(k)) v *= level;
      if (scenario.shift === 'noise') v += level * plan.sd[k]! * noise();
      batch[r * d + k] = v;
    }
  });
  return {
    reference: Int32Array.from(rest),
    batch,
    batchLabels: batchRows.map((i) => data.labels[i]!),
    batchRows: batchRows.length,
  };
}
