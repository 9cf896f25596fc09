import { BLOCK_ROWS, errorModuleBytes, layout } from './error-wasm';
import { wasm } from './wasm-encoder';

/**
 * Reconstruction errors on the calling thread, by the SIMD kernel of `error-wasm.ts`: each batch's
 * input and reconstruction are copied into the kernel's memory (two memcpys, far cheaper than the
 * arithmetic in JavaScript), and the row errors read back from it. The per-feature sums
 * accumulate in that memory across batches until `finish`.
 */

export { BLOCK_ROWS };

export interface FeatureErrorSums {
  /** Finite rows summed. */
  rows: number;
  /** Σ r² per feature over all finite rows. */
  sum: Float64Array;
  /** Σ block sum and Σ (block sum)² per feature, over `blocks` full blocks of `blockRows` rows. */
  blockSum: Float64Array;
  blockSumSq: Float64Array;
  blocks: number;
  blockRows: number;
}

export interface RowErrors {
  /** Per row: the mean of r² over features, NaN for a row with NaN or Inf. Valid until the next call. */
  errors: Float64Array;
  /** Rows with a NaN error. */
  nonFinite: number;
}

export interface ErrorKernel {
  /** Row errors of `rows` rows of input `x` and reconstruction `y` (rows × features values each). */
  rowErrors(x: Float32Array, y: Float32Array, rows: number): RowErrors;
  /** The per-feature sums of every batch so far. */
  finish(): FeatureErrorSums;
}

const PAGE = 65536;
let compiled: object | undefined;

/** A kernel for rows of `features` values; `invScale` (one per feature) multiplies residuals before squaring. */
export function createErrorKernel(features: number, invScale: Float32Array): ErrorKernel {
  if (invScale.length !== features) throw new RangeError(`invScale has ${invScale.length} values for ${features} features`);
  compiled ??= new wasm.Module(errorModuleBytes());
  const at = layout(features);
  const memory = new wasm.Memory({ initial: Math.ceil(at.dataStart / PAGE) });
  const kernel = new wasm.Instance(compiled, { env: { memory } }).exports as { batch(x: number, y: number, err: number, n: number, f: number): number };
  new Float64Array(memory.buffer, at.invScale, features).set(invScale);
  return {
    rowErrors(x, y, rows) {
      const values = rows * features;
      const need = at.dataStart + values * 8 + rows * 8;
      if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
      const xAt = at.dataStart;
      const yAt = xAt + values * 4;
      const eAt = yAt + values * 4;
      new Float32Array(memory.buffer, xAt, values).set(x.length === values ? x : x.subarray(0, values));
      new Float32Array(memory.buffer, yAt, values).set(y.length === values ? y : y.subarray(0, values));
      const nonFinite = kernel.batch(xAt, yAt, eAt, rows, features);
      return { errors: new Float64Array(memory.buffer, eAt, rows), nonFinite };
    },
    finish() {
      const copy = (offset: number) => new Float64Array(memory.buffer, offset, features).slice();
      const counters = new Float64Array(memory.buffer, at.counters, 2);
      return { rows: counters[0]!, sum: copy(at.sum), blockSum: copy(at.blockSum), blockSumSq: copy(at.blockSumSq), blocks: counters[1]!, blockRows: BLOCK_ROWS };
    },
  };
}
