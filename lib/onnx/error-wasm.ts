import { encodeModule, f32, f64, i32, op, v128, type WasmFunction } from './wasm-encoder.js';

/**
 * The reconstruction-error arithmetic as a WebAssembly module with 128-bit SIMD, four features
 * per instruction, many times cheaper than the same loops in JavaScript.
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

const loopWhileBelow = (counter: number, limit: number, body: number[][]) => [
  op.block(),
  op.loop(),
  op.get(counter),
  op.get(limit),
  op.i32GeU(),
  op.brIf(1),
  ...body,
  op.br(0),
  op.end(),
  op.end(),
];
const add = (local: number, n: number | number[][]) => [
  op.get(local),
  ...(typeof n === 'number' ? [op.i32Const(n)] : n),
  op.i32Add(),
  op.set(local),
];
/** Bytes of one padded float32 array of F values: 16 · ⌈F / 4⌉. */
const paddedBytes = (f: number) => [
  op.get(f),
  op.i32Const(3),
  op.i32Add(),
  op.i32Const(-4),
  op.i32And(),
  op.i32Const(2),
  op.i32Shl(),
];

/**
 * rows(x, y, err, n, F) → rows whose error is not finite. Zeroes the block sums, then for each
 * of the n rows at byte addresses x and y: adds r² of every feature to the block sums (eight,
 * then four features at a time, the last one to three alone) and stores the row's error at err.
 */
function rowsFunction(): WasmFunction {
  const [X, Y, E, N, F] = [0, 1, 2, 3, 4];
  const [I, J, QUADS, OCTETS, ROW, BAD, BLK, A, T, T2, Q, TOT, R] = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  // q = ((x − y) · inv)² for the k-th group of four features after J (a byte offset); block += q; t += q.
  const quad = (k: number) => [
    op.get(X),
    op.get(J),
    op.i32Add(),
    op.v128Load(16 * k),
    op.get(Y),
    op.get(J),
    op.i32Add(),
    op.v128Load(16 * k),
    op.f32x4Sub(),
    op.get(J),
    op.v128Load(BASE + 16 * k),
    op.f32x4Mul(),
    op.tee(Q),
    op.get(Q),
    op.f32x4Mul(),
    op.set(Q),
    op.get(BLK),
    op.get(J),
    op.i32Add(),
    op.tee(A),
    op.get(A),
    op.v128Load(16 * k),
    op.get(Q),
    op.f32x4Add(),
    op.v128Store(16 * k),
    op.get(k % 2 ? T2 : T),
    op.get(Q),
    op.f32x4Add(),
    op.set(k % 2 ? T2 : T),
  ];
  const lane = (k: number) => [op.get(T), op.f32x4ExtractLane(k), op.f64PromoteF32()];
  return {
    name: 'rows',
    params: [i32, i32, i32, i32, i32],
    results: [i32],
    locals: [i32, i32, i32, i32, i32, i32, i32, i32, v128, v128, v128, f64, f32],
    body: [
      // BLK: the block sums, after the padded invScale; zero them.
      ...paddedBytes(F),
      op.i32Const(BASE),
      op.i32Add(),
      op.set(BLK),
      op.get(F),
      op.i32Const(2),
      op.i32Shl(),
      op.set(ROW),
      op.i32Const(0),
      op.set(J),
      ...loopWhileBelow(J, ROW, [op.get(BLK), op.get(J), op.i32Add(), op.f32Const(0), op.f32Store(), ...add(J, 4)]),
      // QUADS and OCTETS: where the four-at-a-time and the eight-at-a-time parts end, in bytes.
      op.get(F),
      op.i32Const(-4),
      op.i32And(),
      op.i32Const(2),
      op.i32Shl(),
      op.set(QUADS),
      op.get(F),
      op.i32Const(-8),
      op.i32And(),
      op.i32Const(2),
      op.i32Shl(),
      op.set(OCTETS),
      op.i32Const(0),
      op.set(I),
      ...loopWhileBelow(I, N, [
        op.f32Const(0),
        op.f32x4Splat(),
        op.tee(T),
        op.set(T2),
        op.i32Const(0),
        op.set(J),
        ...loopWhileBelow(J, OCTETS, [...quad(0), ...quad(1), ...add(J, 32)]),
        ...loopWhileBelow(J, QUADS, [...quad(0), ...add(J, 16)]),
        op.get(T),
        op.get(T2),
        op.f32x4Add(),
        op.set(T),
        ...lane(0),
        ...lane(1),
        op.f64Add(),
        ...lane(2),
        op.f64Add(),
        ...lane(3),
        op.f64Add(),
        op.set(TOT),
        // The last one to three features.
        ...loopWhileBelow(J, ROW, [
          op.get(X),
          op.get(J),
          op.i32Add(),
          op.f32Load(),
          op.get(Y),
          op.get(J),
          op.i32Add(),
          op.f32Load(),
          op.f32Sub(),
          op.get(J),
          op.f32Load(BASE),
          op.f32Mul(),
          op.tee(R),
          op.get(R),
          op.f32Mul(),
          op.set(R),
          op.get(BLK),
          op.get(J),
          op.i32Add(),
          op.tee(A),
          op.get(A),
          op.f32Load(),
          op.get(R),
          op.f32Add(),
          op.f32Store(),
          op.get(TOT),
          op.get(R),
          op.f64PromoteF32(),
          op.f64Add(),
          op.set(TOT),
          ...add(J, 4),
        ]),
        op.get(TOT),
        op.get(F),
        op.f64ConvertI32U(),
        op.f64Div(),
        op.set(TOT),
        // Not finite (t − t is NaN for NaN and ±Inf): NaN, and counted.
        op.get(TOT),
        op.get(TOT),
        op.f64Sub(),
        op.f64Const(0),
        op.f64Ne(),
        op.if(),
        op.f64Const(Number.NaN),
        op.set(TOT),
        ...add(BAD, 1),
        op.end(),
        op.get(E),
        op.get(TOT),
        op.f64Store(),
        ...add(E, 8),
        ...add(X, [op.get(ROW)]),
        ...add(Y, [op.get(ROW)]),
        ...add(I, 1),
      ]),
      op.get(BAD),
    ],
  };
}

/** accumulate(F, full): Σ += block; with full ≠ 0 also Σ block += block and Σ block² += block². */
function accumulateFunction(): WasmFunction {
  const [F, FULL] = [0, 1];
  const [J, END, V, BLK, SUM] = [2, 3, 4, 5, 6];
  // Σ array k (0: Σ, 1: Σ block, 2: Σ block²) of feature j: SUM + k · END + 8j.
  const at = (k: number) => [
    op.get(SUM),
    op.get(END),
    op.i32Const(k),
    op.i32Mul(),
    op.i32Add(),
    op.get(J),
    op.i32Const(3),
    op.i32Shl(),
    op.i32Add(),
  ];
  const addTo = (k: number, value: number[][]) => [
    ...at(k),
    ...at(k),
    op.f64Load(),
    ...value,
    op.f64Add(),
    op.f64Store(),
  ];
  return {
    name: 'accumulate',
    params: [i32, i32],
    results: [],
    locals: [i32, i32, f64, i32, i32],
    body: [
      ...paddedBytes(F),
      op.i32Const(BASE),
      op.i32Add(),
      op.tee(BLK),
      ...paddedBytes(F),
      op.i32Add(),
      op.set(SUM),
      op.get(F),
      op.i32Const(3),
      op.i32Shl(),
      op.set(END),
      ...loopWhileBelow(J, F, [
        op.get(BLK),
        op.get(J),
        op.i32Const(2),
        op.i32Shl(),
        op.i32Add(),
        op.f32Load(),
        op.f64PromoteF32(),
        op.set(V),
        ...addTo(0, [op.get(V)]),
        op.get(FULL),
        op.if(),
        ...addTo(1, [op.get(V)]),
        ...addTo(2, [op.get(V), op.get(V), op.f64Mul()]),
        op.end(),
        ...add(J, 1),
      ]),
    ],
  };
}

/**
 * batch(x, y, err, n, F) → rows whose error is not finite: rows() on each block of BLOCK_ROWS
 * rows, and accumulate() for each block without such a row, counting its rows (and, when full,
 * the block) in the counters.
 */
function batchFunction(rows: number, accumulate: number): WasmFunction {
  const [X, Y, E, N, F] = [0, 1, 2, 3, 4];
  const [START, M, BAD, TOTAL] = [5, 6, 7, 8];
  const bump = (address: number, by: number[][]) => [
    op.i32Const(address),
    op.i32Const(address),
    op.f64Load(),
    ...by,
    op.f64Add(),
    op.f64Store(),
  ];
  const full = [op.get(M), op.i32Const(BLOCK_ROWS), op.i32Eq()];
  const blockBytes = [op.get(F), op.i32Const(2 + Math.log2(BLOCK_ROWS)), op.i32Shl()];
  return {
    name: 'batch',
    params: [i32, i32, i32, i32, i32],
    results: [i32],
    locals: [i32, i32, i32, i32],
    body: [
      ...loopWhileBelow(START, N, [
        // M = min(BLOCK_ROWS, N − START)
        op.i32Const(BLOCK_ROWS),
        op.get(N),
        op.get(START),
        op.i32Sub(),
        op.tee(M),
        op.get(M),
        op.i32Const(BLOCK_ROWS),
        op.i32GeU(),
        op.select(),
        op.set(M),
        op.get(X),
        op.get(Y),
        op.get(E),
        op.get(M),
        op.get(F),
        op.call(rows),
        op.tee(BAD),
        op.get(TOTAL),
        op.i32Add(),
        op.set(TOTAL),
        op.get(BAD),
        op.i32Eqz(),
        op.if(),
        op.get(F),
        ...full,
        op.call(accumulate),
        ...bump(0, [op.get(M), op.f64ConvertI32U()]),
        ...full,
        op.if(),
        ...bump(8, [op.f64Const(1)]),
        op.end(),
        op.end(),
        ...add(X, blockBytes),
        ...add(Y, blockBytes),
        ...add(E, 8 * BLOCK_ROWS),
        ...add(START, BLOCK_ROWS),
      ]),
      op.get(TOTAL),
    ],
  };
}

/** The module's bytes: exports `rows`, `accumulate` and `batch`, imports `env.memory`. */
export function errorModuleBytes(): Uint8Array {
  return encodeModule([rowsFunction(), accumulateFunction(), batchFunction(0, 1)]);
}
