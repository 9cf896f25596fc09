import { BLOCK_ROWS, layout, type ErrorKernel } from './error-wasm.js';

/**
 * The error kernel of error-kernel.wat in plain TypeScript, over the same memory and layout:
 * what the tests compare the WebAssembly module against, and what the inference thread runs
 * where WebAssembly SIMD is not available (several times slower).
 *
 * It does the arithmetic in the same order and precision as the module, so both give the same
 * bits: single-precision steps are rounded with Math.fround, and the row total is summed as the
 * SIMD code sums it: feature j goes to lane j mod 4 of accumulator A (features 8k..8k+3 and the
 * four-at-a-time rest) or B (features 8k+4..8k+7); the lanes of A + B are added in double
 * precision, then the last one to three features one at a time.
 */
export function referenceErrorKernel(memory: { readonly buffer: ArrayBuffer | SharedArrayBuffer }): ErrorKernel {
  // Views are made per call: a WebAssembly memory's buffer changes when the memory grows.
  const f32 = () => new Float32Array(memory.buffer);
  const f64 = () => new Float64Array(memory.buffer);

  function rows(x: number, y: number, err: number, n: number, features: number): number {
    const F = f32();
    const D = f64();
    const at = layout(features);
    const inv = at.invScale / 4;
    const block = (at.invScale + Math.ceil(features / 4) * 16) / 4;
    const octets = features & -8;
    const quads = features & -4;
    F.fill(0, block, block + features);
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const xr = x / 4 + i * features;
      const yr = y / 4 + i * features;
      const a = [0, 0, 0, 0];
      const b = [0, 0, 0, 0];
      const tail: number[] = [];
      for (let j = 0; j < features; j++) {
        const r = Math.fround(Math.fround(F[xr + j]! - F[yr + j]!) * F[inv + j]!);
        const q = Math.fround(r * r);
        F[block + j] = Math.fround(F[block + j]! + q);
        if (j >= quads) tail.push(q);
        else {
          const lanes = j < octets && j % 8 >= 4 ? b : a;
          lanes[j % 4] = Math.fround(lanes[j % 4]! + q);
        }
      }
      const lanes = a.map((v, k) => Math.fround(v + b[k]!));
      let total = lanes[0]! + lanes[1]! + lanes[2]! + lanes[3]!;
      for (const q of tail) total += q;
      let mean = total / features;
      if (!Number.isFinite(mean)) {
        mean = Number.NaN;
        bad++;
      }
      D[(err >> 3) + i] = mean;
    }
    return bad;
  }

  function accumulate(features: number, full: number): void {
    const F = f32();
    const D = f64();
    const at = layout(features);
    const block = (at.invScale + Math.ceil(features / 4) * 16) / 4;
    for (let j = 0; j < features; j++) {
      const v = F[block + j]!;
      D[at.sum / 8 + j] = D[at.sum / 8 + j]! + v;
      if (full) {
        D[at.blockSum / 8 + j] = D[at.blockSum / 8 + j]! + v;
        D[at.blockSumSq / 8 + j] = D[at.blockSumSq / 8 + j]! + v * v;
      }
    }
  }

  function batch(x: number, y: number, err: number, n: number, features: number): number {
    const D = f64();
    let total = 0;
    for (let start = 0; start < n; start += BLOCK_ROWS) {
      const m = Math.min(BLOCK_ROWS, n - start);
      const bad = rows(x, y, err, m, features);
      total += bad;
      if (bad === 0) {
        accumulate(features, m === BLOCK_ROWS ? 1 : 0);
        D[0] = D[0]! + m;
        if (m === BLOCK_ROWS) D[1] = D[1]! + 1;
      }
      x += features * 4 * BLOCK_ROWS;
      y += features * 4 * BLOCK_ROWS;
      err += 8 * BLOCK_ROWS;
    }
    return total;
  }

  return { rows, accumulate, batch };
}
