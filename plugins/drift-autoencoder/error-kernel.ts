import { BLOCK_ROWS, errorModuleBytes, layout } from './error-wasm';
import { wasm, type WasmMemory } from './wasm-encoder';

/**
 * Reconstruction errors by the SIMD kernel of `error-wasm.ts`, over batches that live in the
 * kernel's own memory. That memory is shared (a SharedArrayBuffer) and cut into slots, each with
 * room for a batch's input, its reconstruction and its row errors: the reader writes a batch's
 * input into a slot, the inference thread writes the reconstruction beside it, and the kernel
 * reads both where they are. No batch is copied on this thread, and no buffer changes hands, so
 * garbage collection is not pressed by megabytes moving between threads.
 *
 * The per-feature sums accumulate in the same memory across batches until `finish`.
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
  /** Per row: the mean of r² over features, NaN for a row with NaN or Inf. Valid until the slot is reused. */
  errors: Float64Array;
  /** Rows with a NaN error. */
  nonFinite: number;
}

/** Byte offsets of one slot's regions in the kernel's memory. */
export interface SlotOffsets {
  x: number;
  y: number;
  errors: number;
}

export interface ErrorKernel {
  /** The shared memory that holds the slots (hand it to the inference thread). */
  readonly memory: WasmMemory;
  /** Rows a slot holds. */
  readonly slotRows: number;
  readonly offsets: readonly SlotOffsets[];
  /** The input region of a slot: `slotRows` rows of `features` float32 values. */
  input(slot: number): Float32Array;
  /** Row errors of the first `rows` rows of a slot, whose reconstruction is in place. */
  rowErrors(slot: number, rows: number): RowErrors;
  /** The per-feature sums of every batch so far. */
  finish(): FeatureErrorSums;
  /** Gives the memory back for the next kernel of the same size (after `finish`, or on errors). */
  release(): void;
}

const PAGE = 65536;
const align16 = (n: number) => Math.ceil(n / 16) * 16;
let compiled: object | undefined;
/** Released memories by size in pages: the next check reuses one instead of mapping and zeroing megabytes again. */
const spare = new Map<number, WasmMemory[]>();
const SPARE_PER_SIZE = 2;

/**
 * A kernel for rows of `features` values with `slots` slots of `slotRows` rows; `invScale` (one
 * value per feature) multiplies residuals before squaring.
 */
export function createErrorKernel(features: number, invScale: Float32Array, slots: number, slotRows: number): ErrorKernel {
  if (invScale.length !== features) throw new RangeError(`invScale has ${invScale.length} values for ${features} features`);
  compiled ??= new wasm.Module(errorModuleBytes());
  const at = layout(features);
  const plane = align16(slotRows * features * 4);
  const slotBytes = 2 * plane + align16(slotRows * 8);
  const offsets = Array.from({ length: slots }, (_, s) => {
    const x = at.dataStart + s * slotBytes;
    return { x, y: x + plane, errors: x + 2 * plane };
  });
  const pages = Math.ceil((at.dataStart + slots * slotBytes) / PAGE);
  const memory = spare.get(pages)?.pop() ?? new wasm.Memory({ initial: pages, maximum: pages, shared: true });
  const kernel = new wasm.Instance(compiled, { env: { memory } }).exports as { batch(x: number, y: number, err: number, n: number, f: number): number };
  new Uint8Array(memory.buffer, 0, at.dataStart).fill(0);
  new Float64Array(memory.buffer, at.invScale, features).set(invScale);
  const inputs = offsets.map((o) => new Float32Array(memory.buffer, o.x, slotRows * features));
  return {
    memory,
    slotRows,
    offsets,
    input: (slot) => inputs[slot]!,
    rowErrors(slot, rows) {
      if (rows > slotRows) throw new RangeError(`${rows} rows do not fit a slot of ${slotRows}`);
      const o = offsets[slot]!;
      const nonFinite = kernel.batch(o.x, o.y, o.errors, rows, features);
      return { errors: new Float64Array(memory.buffer, o.errors, rows), nonFinite };
    },
    finish() {
      const copy = (offset: number) => new Float64Array(memory.buffer, offset, features).slice();
      const counters = new Float64Array(memory.buffer, at.counters, 2);
      return { rows: counters[0]!, sum: copy(at.sum), blockSum: copy(at.blockSum), blockSumSq: copy(at.blockSumSq), blocks: counters[1]!, blockRows: BLOCK_ROWS };
    },
    release() {
      const free = spare.get(pages) ?? [];
      if (free.length < SPARE_PER_SIZE && !free.includes(memory)) free.push(memory);
      spare.set(pages, free);
    },
  };
}
