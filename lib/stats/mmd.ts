import randu from '@stdlib/random-base-randu';

/**
 * A two-sample test of maximum mean discrepancy (Gretton et al. 2012) with a Gaussian kernel, as
 * Alibi Detect's MMDDrift, made linear in the number of rows by random Fourier features (Rahimi &
 * Recht 2007): each row is mapped to D features whose inner products approximate the kernel, and
 * MMD² becomes the squared distance between the two samples' mean feature vectors. Its p-value
 * comes from label permutations, so it is exact for exchangeable rows, whatever the data look
 * like: everything the statistic depends on besides the labels (standardization, bandwidth,
 * frequencies) is computed from the pooled rows in a way no relabelling changes.
 *
 * Hand-written: no maintained JavaScript library does an MMD test, and the permutation loop is
 * the cost (a sum of the smaller sample's feature rows per permutation), so it is kept tight.
 */

export interface MmdOptions {
  /** Random Fourier features (even; half cosines, half sines). */
  features: number;
  /** Most permutations; sampling stops early once `earlyStop` permuted statistics reach the observed one. */
  permutations: number;
  earlyStop?: number;
  /** Bandwidth in standardized units; default: the median pairwise distance of up to 256 pooled rows. */
  bandwidth?: number;
  seed: number;
}

export interface MmdResult {
  /** MMD² estimate (squared distance of the mean feature vectors). */
  statistic: number;
  pValue: number;
  permutations: number;
  bandwidth: number;
  /** Witness function values (larger: more batch-like) of the reference and batch rows. */
  witness: { reference: Float64Array; batch: Float64Array };
  /** Per column: batch mean − reference mean in pooled standard deviations. */
  meanShift: Float64Array;
}

/** FNV-1a over a row's float64 bits: orders rows by content, whatever sample they are in. */
function rowHash(x: Float64Array, base: number, d: number, bits: Uint32Array, f64: Float64Array): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < d; k++) {
    f64[0] = x[base + k]!;
    h = Math.imul(h ^ bits[0]!, 0x01000193);
    h = Math.imul(h ^ bits[1]!, 0x01000193);
  }
  return h >>> 0;
}

/** Median Euclidean distance between pairs of up to 256 rows picked by content hash (label-free). */
function medianDistance(z: Float64Array, rows: number, d: number): number {
  const f64 = new Float64Array(1);
  const bits = new Uint32Array(f64.buffer);
  const order = Array.from({ length: rows }, (_, i) => i)
    .map((i) => ({ i, h: rowHash(z, i * d, d, bits, f64) }))
    .sort((a, b) => a.h - b.h || a.i - b.i)
    .slice(0, 256)
    .map((r) => r.i);
  const dist: number[] = [];
  for (let a = 0; a < order.length; a++)
    for (let b = a + 1; b < order.length; b++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const t = z[order[a]! * d + k]! - z[order[b]! * d + k]!;
        s += t * t;
      }
      dist.push(Math.sqrt(s));
    }
  dist.sort((x, y) => x - y);
  const med = dist.length ? dist[Math.floor(dist.length / 2)]! : 1;
  return med > 1e-9 ? med : 1;
}

/**
 * Tests whether `batch` (n × d, row-major) comes from the distribution of `reference` (m × d).
 */
export function mmdTest(
  reference: Float64Array,
  m: number,
  batch: Float64Array,
  n: number,
  d: number,
  opts: MmdOptions,
): MmdResult {
  const rows = m + n;
  const z = new Float64Array(rows * d);
  z.set(reference.subarray(0, m * d));
  z.set(batch.subarray(0, n * d), m * d);
  // Standardize each column by the pooled mean and standard deviation (constant columns keep unit scale).
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (let i = 0; i < rows; i++) for (let k = 0; k < d; k++) mean[k]! += z[i * d + k]!;
  for (let k = 0; k < d; k++) mean[k]! /= rows;
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < d; k++) {
      const t = z[i * d + k]! - mean[k]!;
      sd[k]! += t * t;
    }
  for (let k = 0; k < d; k++) {
    const s = Math.sqrt(sd[k]! / Math.max(1, rows - 1));
    sd[k] = s > 1e-12 ? s : 1;
  }
  for (let i = 0; i < rows; i++) for (let k = 0; k < d; k++) z[i * d + k] = (z[i * d + k]! - mean[k]!) / sd[k]!;
  const meanShift = new Float64Array(d);
  for (let i = 0; i < rows; i++) for (let k = 0; k < d; k++) meanShift[k]! += z[i * d + k]! * (i < m ? -1 / m : 1 / n);

  const bandwidth = opts.bandwidth ?? medianDistance(z, rows, d);
  // Frequencies w ~ N(0, I / bandwidth²), seeded: independent of the data.
  const half = Math.max(1, Math.floor(opts.features / 2));
  const D = 2 * half;
  const rand = randu.factory({ seed: opts.seed + 1 });
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const w = Float64Array.from({ length: half * d }, () => gauss() / bandwidth);
  const scale = Math.sqrt(1 / half);
  const phi = new Float64Array(rows * D);
  for (let i = 0; i < rows; i++) {
    const xi = i * d;
    const out = i * D;
    for (let f = 0; f < half; f++) {
      const wf = f * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += w[wf + k]! * z[xi + k]!;
      phi[out + f] = scale * Math.cos(dot);
      phi[out + half + f] = scale * Math.sin(dot);
    }
  }
  const total = new Float64Array(D);
  for (let i = 0; i < rows; i++) for (let j = 0; j < D; j++) total[j]! += phi[i * D + j]!;
  const batchSum = new Float64Array(D);
  for (let i = m; i < rows; i++) for (let j = 0; j < D; j++) batchSum[j]! += phi[i * D + j]!;

  // ||S_b / n − (S − S_b) / m||²: with the smaller side's sum A (size s) the same formula holds with roles swapped.
  const distance = (sumSmall: Float64Array, s: number) => {
    const big = rows - s;
    let t = 0;
    for (let j = 0; j < D; j++) {
      const diff = sumSmall[j]! / s - (total[j]! - sumSmall[j]!) / big;
      t += diff * diff;
    }
    return t;
  };
  const statistic = distance(batchSum, n);
  const witnessDir = new Float64Array(D);
  for (let j = 0; j < D; j++) witnessDir[j] = batchSum[j]! / n - (total[j]! - batchSum[j]!) / m;
  const witnessOf = (i: number) => {
    let v = 0;
    for (let j = 0; j < D; j++) v += witnessDir[j]! * phi[i * D + j]!;
    return v;
  };
  const witness = {
    reference: Float64Array.from({ length: m }, (_, i) => witnessOf(i)),
    batch: Float64Array.from({ length: n }, (_, i) => witnessOf(m + i)),
  };

  // Permutations: a random subset of the smaller size, by a partial Fisher–Yates shuffle.
  const s = Math.min(m, n);
  const index = Int32Array.from({ length: rows }, (_, i) => i);
  const prand = randu.factory({ seed: opts.seed + 2 });
  const acc = new Float64Array(D);
  const earlyStop = opts.earlyStop ?? 20;
  let atLeast = 0;
  let done = 0;
  while (done < opts.permutations) {
    acc.fill(0);
    for (let t = 0; t < s; t++) {
      const r = t + Math.floor(prand() * (rows - t));
      const pick = index[r]!;
      index[r] = index[t]!;
      index[t] = pick;
      const base = pick * D;
      for (let j = 0; j < D; j++) acc[j]! += phi[base + j]!;
    }
    done++;
    if (distance(acc, s) >= statistic * (1 - 1e-12)) atLeast++;
    // Besag & Clifford's sequential p-value: stop once `earlyStop` permuted statistics reach the observed one.
    if (atLeast >= earlyStop) break;
  }
  const pValue = atLeast >= earlyStop ? atLeast / done : (atLeast + 1) / (done + 1);
  return { statistic, pValue: Math.min(1, pValue), permutations: done, bandwidth, witness, meanShift };
}
