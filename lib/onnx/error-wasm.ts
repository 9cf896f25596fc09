import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runsFromSource } from '../modules/sibling-module.js';

/**
 * The reconstruction-error arithmetic as a WebAssembly module with 128-bit SIMD, four features
 * per instruction, many times cheaper than the same loops in JavaScript. Its source is the
 * WebAssembly text error-kernel.wat; error-kernel-reference.ts is the same arithmetic in plain
 * TypeScript, which runs where WebAssembly SIMD does not.
 *
 * Per row: the mean over the F features of r² with r = (x − y) · invScale. r² and its sums over a
 * row and over a block of BLOCK_ROWS rows are single precision, like the model's own output (a
 * relative error of a few 1e-7 per term); the row's mean and every sum over blocks are double.
 * Per feature: the sum of r² over finite rows, and the sums over blocks that give the variance
 * of the feature's mean error. A row whose error is not finite (NaN or Inf in the input) gets
 * NaN, and the block of rows it fell in is left out of the per-feature sums.
 *
 * Memory layout (`layout(F)`): two doubles of counters (rows summed, full blocks summed), then F
 * floats each of invScale and the current block's sums (each padded to whole groups of four),
 * then F doubles each of Σ, Σ block and Σ block²; batches (x and y as float32, the errors as
 * float64) go anywhere after `dataStart`.
 */

/** Rows of a block. error-kernel.wat writes it, and BASE, as the constant 16; the unit test that compares the module with the reference (which uses these) catches a change made on one side only. */
export const BLOCK_ROWS = 16;

/** What the kernel has summed per feature over a whole pass (read from its memory at the end). */
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
/** Bytes before the per-feature arrays: the two counters. */
const BASE = 16;

export interface KernelLayout {
  counters: number;
  /** F float32 */
  invScale: number;
  /** F float64 each */
  sum: number;
  blockSum: number;
  blockSumSq: number;
  dataStart: number;
}

export function layout(features: number): KernelLayout {
  const floats = Math.ceil(features / 4) * 16;
  const sum = BASE + 2 * floats;
  return {
    counters: 0,
    invScale: BASE,
    sum,
    blockSum: sum + 8 * features,
    blockSumSq: sum + 16 * features,
    dataStart: Math.ceil((sum + 24 * features) / 16) * 16,
  };
}

/** The kernel's functions, as the WebAssembly module exports them (byte addresses into its memory). */
export interface ErrorKernel {
  /** Row errors of `n` rows into `err`, the rows' r² added to the block sums; returns rows not finite. */
  rows(x: number, y: number, err: number, n: number, features: number): number;
  /** Adds the block sums to Σ (and, with `full` ≠ 0, to Σ block and Σ block²). */
  accumulate(features: number, full: number): void;
  /** rows() and accumulate() over a batch, block by block; returns rows whose error is not finite. */
  batch(x: number, y: number, err: number, n: number, features: number): number;
}

/** Assembles WebAssembly text (with SIMD) into a module's bytes, with wabt (a development dependency). */
export async function assembleWat(source: string, filename: string): Promise<Uint8Array> {
  const { default: initWabt } = await import('wabt');
  const wabt = await initWabt();
  const parsed = wabt.parseWat(filename, source, { simd: true });
  try {
    parsed.resolveNames();
    parsed.validate();
    return parsed.toBinary({}).buffer;
  } finally {
    parsed.destroy();
  }
}

export const ERROR_KERNEL_WAT = new URL('./error-kernel.wat', import.meta.url);
export const ERROR_KERNEL_WASM = new URL('./error-kernel.wasm', import.meta.url);

let kernelBytes: Promise<Uint8Array> | undefined;

/**
 * The kernel module's bytes: error-kernel.wasm beside the compiled package (the build assembles
 * it), or, run from source, error-kernel.wat assembled now, once per process (about 0.1 s).
 */
export function errorKernelBytes(): Promise<Uint8Array> {
  kernelBytes ??= runsFromSource(import.meta.url)
    ? readFile(ERROR_KERNEL_WAT, 'utf8').then((wat) => assembleWat(wat, fileURLToPath(ERROR_KERNEL_WAT)))
    : readFile(ERROR_KERNEL_WASM).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  kernelBytes.catch(() => (kernelBytes = undefined));
  return kernelBytes;
}
