import { strict as assert } from 'node:assert';
import { gaussian, rng } from '../builders/data-tools.js';
import { chiSquareGoodnessOfFit, chiSquareHomogeneity, chiSquareSurvival } from '../../lib/stats/chi-square.js';
import { hypergeometricUpperTail, shareIncreaseTest } from '../../lib/stats/hypergeometric.js';
import { mmdTest } from '../../lib/stats/mmd.js';
import { taroneHolm } from '../../lib/stats/multiple-testing.js';
import { wilsonInterval } from '../../lib/stats/wilson.js';
import betaln from '@stdlib/math-base-special-betaln';
import binomcoefln from '@stdlib/math-base-special-binomcoefln';
import { betaBinomialUpperTail, exceedanceTest } from '../../lib/stats/exceedance-test.js';
import { histogramPair, histogramPairSorted } from '../../lib/stats/histogram.js';
import { kolmogorovLogQ, kolmogorovQ, ksExactPValue, ksTwoSample, sortedFinite } from '../../lib/stats/ks.js';
import { psi } from '../../lib/stats/psi.js';
import { quantileSorted, Reservoir } from '../../lib/stats/reservoir.js';
import { StrideSample } from '../../lib/stats/stride-sample.js';
import { TopK } from '../../lib/stats/top-k.js';

const sample = (n: number, seed: number, shift = 0) => {
  const g = gaussian(seed);
  return sortedFinite(Float64Array.from({ length: n }, () => g() + shift));
};

/** Two StrideSamples of `stream` with the same size and seed: one offered it whole, one in batches of `batch`. */
function sampledWholeAndInParts(
  stream: Float64Array,
  size: number,
  seed: number,
  batch: number,
): [StrideSample, StrideSample] {
  const whole = new StrideSample(size, stream.length, seed);
  whole.addFinite(stream);
  const parts = new StrideSample(size, stream.length, seed);
  for (let o = 0; o < stream.length; o += batch) parts.addFinite(stream.subarray(o, o + batch));
  return [whole, parts];
}

describe('checker statistics', () => {
  it('gives the Kolmogorov distribution its textbook values', () => {
    assert.ok(Math.abs(kolmogorovQ(1.358) - 0.05) < 0.001);
    assert.ok(Math.abs(kolmogorovQ(1.628) - 0.01) < 0.001);
  });

  it('KS finds no difference between samples of one distribution and a clear one after a shift', () => {
    const same = ksTwoSample(sample(500, 1), sample(500, 2));
    assert.ok(same.pValue > 0.01, `p = ${same.pValue}`);
    const shifted = ksTwoSample(sample(500, 1), sample(500, 2, 0.5));
    assert.ok(shifted.pValue < 1e-6 && shifted.pGreater < 1e-6);
    assert.ok(
      ksTwoSample(sample(500, 1), sample(500, 2, -0.5)).pGreater > 0.5,
      'one-sided test ignores the other direction',
    );
  });

  it('KS handles ties: identical discrete samples have D = 0', () => {
    const xs = Float64Array.from([0, 0, 1, 1, 1, 2, 2]);
    assert.equal(ksTwoSample(xs, xs).d, 0);
  });

  it('keeps the exceedance test at its nominal false-alarm rate for a small reference', () => {
    // 2,000 simulated checks: reference of 300, batch of 300, threshold at the reference p99.
    const r = rng(5);
    let alarms = 0;
    for (let t = 0; t < 2000; t++) {
      const ref = Float64Array.from({ length: 300 }, r).sort();
      const rank = Math.max(1, Math.floor(0.01 * 301));
      const threshold = ref[300 - rank]!;
      let k = 0;
      for (let i = 0; i < 300; i++) if (r() > threshold) k++;
      if (exceedanceTest(k, 300, rank, 300).pValue < 0.01) alarms++;
    }
    assert.ok(alarms / 2000 <= 0.015, `false-alarm rate ${alarms / 2000}`);
  });

  it('gives beta-binomial tails equal to the sum of the pmf term by term, and tends to the binomial for a large reference', () => {
    assert.equal(betaBinomialUpperTail(0, 50, 2, 30), 1);
    // P(K ≥ k) summed directly from the pmf in log-gamma form, every term on its own.
    const direct = (k: number, n: number, a: number, b: number) => {
      let p = 0;
      for (let i = k; i <= n; i++) p += Math.exp(binomcoefln(n, i) + betaln(i + a, n - i + b) - betaln(a, b));
      return p;
    };
    const cases: [number, number, number, number][] = [
      [1, 50, 2, 30],
      [3, 50, 2, 30],
      [20, 50, 2, 30],
      [50, 50, 2, 30],
      [12, 300, 3, 298],
      [1500, 200_000, 200, 19_801],
      [2000, 200_000, 200, 19_801],
      [2600, 200_000, 200, 19_801],
    ];
    for (const [k, n, a, b] of cases) {
      const want = direct(k, n, a, b);
      const got = betaBinomialUpperTail(k, n, a, b);
      assert.ok(
        Math.abs(got - want) <= 1e-9 * Math.max(want, 1e-300) + 1e-12,
        `P(K ≥ ${k}) for beta-binomial(${n}, ${a}, ${b}): ${got}, summed directly ${want}`,
      );
    }
    // Binomial(100, 0.01): P(K >= 5) = 0.00343
    assert.ok(Math.abs(betaBinomialUpperTail(5, 100, 1e4, 99e4) - 0.00343) < 2e-4);
  });

  it('chi-square tests give known p-values', () => {
    const gof = chiSquareGoodnessOfFit([60, 40], [0.5, 0.5]);
    assert.ok(Math.abs(gof.statistic - 4) < 1e-12 && Math.abs(gof.pValue - 0.0455) < 1e-3);
    const hom = chiSquareHomogeneity([30, 70], [30, 70]);
    assert.equal(hom.statistic, 0);
    assert.ok(chiSquareHomogeneity([30, 70], [60, 40]).pValue < 1e-4);
    assert.equal(
      chiSquareGoodnessOfFit([1, 5], [0, 1]).pValue,
      0,
      'a level that should not exist is infinitely unlikely',
    );
  });

  it('PSI is zero for equal shares and large for a big shift', () => {
    assert.equal(psi([10, 20, 30], [20, 40, 60]), 0);
    assert.ok(psi([50, 50], [90, 10]) > 0.25);
  });

  it('takes an evenly spread, seeded sample of a stream of known length, whatever its batches, passing over NaN', () => {
    const stream = Float64Array.from({ length: 100_000 }, (_, i) => i);
    const [whole, parts] = sampledWholeAndInParts(stream, 1000, 7, 777);
    const s = whole.sorted();
    assert.equal(s.length, 1000);
    assert.deepEqual(parts.sorted(), s);
    assert.equal(whole.count, 100_000);
    // One value in every stride of 100: a random start, then evenly spaced.
    for (let k = 0; k < s.length; k++) assert.ok(s[k]! >= k * 100 && s[k]! < (k + 1) * 100, `value ${s[k]} at ${k}`);
    const other = new StrideSample(1000, stream.length, 8);
    other.addFinite(stream);
    assert.notEqual(other.sorted()[0], s[0], 'another seed starts elsewhere');
    const holes = Float64Array.from(stream, (v) => (v % 2 ? Number.NaN : v));
    const some = new StrideSample(1000, holes.length, 7);
    some.addFinite(holes);
    assert.ok(some.sorted().every((v) => !Number.isNaN(v)) && some.sorted().length < 1000);
    const small = new StrideSample(1000, 10, 7);
    small.addFinite(stream.subarray(0, 10));
    assert.deepEqual([...small.sorted()], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps its sample sorted as batches of an unordered stream arrive, with the same values as when taken whole', () => {
    const g = gaussian(21);
    const stream = Float64Array.from({ length: 50_000 }, () => Math.round(g() * 50) / 10 + 0); // + 0: no -0, which sorts apart from 0
    const [whole, parts] = sampledWholeAndInParts(stream, 2000, 3, 1234);
    const s = parts.sorted();
    assert.equal(s.length, 2000);
    for (let k = 1; k < s.length; k++) assert.ok(s[k - 1]! <= s[k]!, `not ascending at ${k}`);
    assert.deepEqual(s, Float64Array.from(whole.sorted()).sort());
  });

  it('computes KS statistics equal to comparing the two empirical CDFs at every value, ties included', () => {
    const g = gaussian(9);
    const a = Float64Array.from({ length: 700 }, () => Math.round(g() * 8)).sort();
    const b = Float64Array.from({ length: 500 }, () => Math.round(g() * 8 + 1)).sort();
    const cdf = (xs: Float64Array, x: number) => xs.filter((v) => v <= x).length / xs.length;
    let d = 0;
    let dPlus = 0;
    for (const x of [...a, ...b]) {
      const diff = cdf(a, x) - cdf(b, x);
      d = Math.max(d, Math.abs(diff));
      dPlus = Math.max(dPlus, diff);
    }
    for (const [x, y, want] of [
      [a, b, { d, dPlus }],
      [b, a, { d, dPlus: undefined }],
    ] as const) {
      const got = ksTwoSample(x, y);
      assert.ok(Math.abs(got.d - want.d) < 1e-12, `D ${got.d}, by the CDFs ${want.d}`);
      if (want.dPlus !== undefined)
        assert.ok(Math.abs(got.dPlus - want.dPlus) < 1e-12, `D+ ${got.dPlus}, by the CDFs ${want.dPlus}`);
    }
  });

  it('bins sorted samples by binary search into exactly the histogram of their transformed values', () => {
    const g = gaussian(4);
    const f = (v: number) => Math.log10(Math.max(v, 1e-12));
    const ref = Float64Array.from({ length: 5000 }, () => Math.exp(g())).sort();
    const batch = Float64Array.from({ length: 3000 }, (_, i) => (i < 40 ? 0 : i % 7 ? Math.exp(g() + 0.5) : 2)).sort();
    const withInf = Float64Array.from([...batch, Number.POSITIVE_INFINITY]);
    for (const [r, b] of [
      [ref, batch],
      [ref, withInf],
      [batch, batch],
      [new Float64Array(0), batch],
    ] as const) {
      const threshold = f(2);
      assert.deepEqual(
        histogramPairSorted('e', r, b, f, 40, threshold),
        histogramPair('e', r.map(f), b.map(f), 40, threshold),
      );
    }
  });

  it('keeps a uniform reservoir sample (the same whether values come one by one or in batches) and the k largest scores of a stream', () => {
    const res = new Reservoir(1000, 3);
    for (let i = 0; i < 100_000; i++) res.add(i);
    const s = res.sorted();
    assert.equal(s.length, 1000);
    assert.ok(Math.abs(quantileSorted(s, 0.5) - 50_000) < 5000);
    const stream = Float64Array.from({ length: 30_000 }, (_, i) => (i * 7919) % 30_011);
    const one = new Reservoir(500, 5);
    for (const v of stream) one.add(v);
    const batched = new Reservoir(500, 5);
    for (let i = 0; i < stream.length; i += 4096) batched.addAll(stream.subarray(i, i + 4096));
    assert.deepEqual(batched.sorted(), one.sorted(), 'addAll keeps the same sample as adding one value at a time');
    assert.equal(batched.count, one.count);
    const holes = Float64Array.from(stream, (v, i) => (i % 97 === 0 ? Number.NaN : v));
    const finite = new Reservoir(500, 5);
    finite.addFinite(holes.subarray(0, 20_000));
    finite.addFinite(holes.subarray(20_000));
    const skipped = new Reservoir(500, 5);
    for (const v of holes) if (!Number.isNaN(v)) skipped.add(v);
    assert.deepEqual(finite.sorted(), skipped.sorted(), 'addFinite leaves NaN out of the stream');
    const top = new TopK(3);
    [5, 1, 9, 7, 3, 9.5].forEach((v, i) => top.add(v, i));
    assert.deepEqual(
      top.result().map((t) => t.id),
      [5, 2, 3],
    );
  });

  it('gives survival p-values in the far tail instead of rounding 1 − cdf to 0', () => {
    // chi-square(1) at 120: 2·Φ(−√120) ≈ 6.326e-28 (scipy chi2.sf); chi-square(2) at 200: e^(−100).
    assert.ok(Math.abs(chiSquareSurvival(120, 1) / 6.326e-28 - 1) < 0.01, String(chiSquareSurvival(120, 1)));
    assert.ok(Math.abs(chiSquareSurvival(200, 2) / Math.exp(-100) - 1) < 1e-6);
    assert.ok(Math.abs(kolmogorovQ(6) / (2 * Math.exp(-72)) - 1) < 1e-9);
    assert.ok(Math.abs(kolmogorovLogQ(30) - (Math.LN2 - 1800)) < 1e-9, 'log Q stays finite where Q underflows');
  });

  it('computes exact two-sample KS p-values for small samples (scipy ks_2samp method="exact")', () => {
    // scipy.stats.ks_2samp([1..5], [6..10], method='exact').pvalue = 0.007936507936507936 (2 / C(10, 5))
    assert.ok(Math.abs(ksExactPValue(1, 5, 5) - 2 / 252) < 1e-12);
    const a = sortedFinite(Float64Array.from([0.1, 0.4, 0.7, 1.2, 1.9, 2.3]));
    const b = sortedFinite(Float64Array.from([0.3, 0.5, 0.9, 1.0, 1.1, 1.4, 1.6]));
    const r = ksTwoSample(a, b);
    assert.ok(r.pValue > 0.5 && r.pValue <= 1, `p = ${r.pValue}`);
  });

  it("gives Fisher's one-sided share test the hypergeometric tail, tiny when a column is missing in every batch row", () => {
    // 3 of 10 batch rows against 0 of 10 reference rows: C(10,3) / C(20,3) = 120 / 1140.
    assert.ok(Math.abs(shareIncreaseTest(3, 10, 0, 10).pValue - 120 / 1140) < 1e-12);
    assert.equal(shareIncreaseTest(0, 10, 5, 10).pValue, 1);
    const all = shareIncreaseTest(300, 300, 0, 500).pValue;
    assert.ok(all > 0 && all < 1e-200, String(all));
    assert.ok(
      Math.abs(hypergeometricUpperTail(2, 20, 5, 10) - (1 - 0.016253869969040248 - 0.13544891640866874)) < 1e-12,
    );
  });

  it('keeps tests that cannot reach alpha / K out of the Holm family (Tarone), and adjusts the rest', () => {
    const tests = [
      { pValue: 0.001, minPValue: 0 },
      { pValue: 0.2, minPValue: 0 },
      { pValue: 1, minPValue: 1 },
      { pValue: 0.5, minPValue: 0.3 },
    ];
    const f = taroneHolm(tests, 0.01);
    assert.equal(f.size, 2);
    assert.deepEqual(f.inFamily, [true, true, false, false]);
    assert.ok(Math.abs(f.adjusted[0]! - 0.002) < 1e-12);
  });

  it("gives Wilson's interval for 0 of 50 an upper end near 7%", () => {
    const [lo, hi] = wilsonInterval(0, 50);
    assert.ok(lo < 1e-12, String(lo));
    assert.ok(Math.abs(hi - 0.0713) < 0.001, String(hi));
  });

  it('simulates chi-square p-values for tables with rare levels, and they stay near the asymptotic ones for common levels', () => {
    const rare = chiSquareHomogeneity([500, 3, 0], [20, 0, 1]);
    assert.equal(rare.method, 'monte-carlo');
    assert.ok(rare.pValue > 0.01, `one unseen row in 21 is not significant: p = ${rare.pValue}`);
    const common = chiSquareHomogeneity([300, 200], [150, 120]);
    assert.equal(common.method, 'asymptotic');
  });

  it('gives the MMD permutation test uniform-ish p-values on one distribution and tiny ones after a subpopulation shift', () => {
    const g = gaussian(31);
    const mix = (rows: number, only?: number) =>
      Float64Array.from({ length: rows * 4 }, (_, i) => {
        const cls = only ?? Math.floor(i / 4) % 2;
        return g() + (i % 4 === 0 ? 3 * cls : 0);
      });
    let small = 0;
    for (let t = 0; t < 40; t++) {
      const p = mmdTest(mix(200), 200, mix(60), 60, 4, { features: 64, permutations: 199, seed: t }).pValue;
      if (p < 0.1) small++;
    }
    assert.ok(small <= 9, `${small}/40 p-values below 0.1`);
    const shifted = mmdTest(mix(200), 200, mix(60, 0), 60, 4, { features: 64, permutations: 199, seed: 1 });
    assert.ok(shifted.pValue <= 0.01, `p = ${shifted.pValue}`);
  });
});
