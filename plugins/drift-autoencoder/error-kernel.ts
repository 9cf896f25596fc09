import { Worker } from 'node:worker_threads';

/**
 * Reconstruction-error arithmetic on a worker thread, so it runs beside ONNX Runtime (which
 * holds the main thread while it infers) instead of after it. Per row: the mean over features of
 * r² with r = (x − y) · invScale. Per feature: the sum of r² over finite rows, and the sums over
 * blocks of BLOCK_ROWS rows that give the variance of the feature's mean error. A row whose error
 * is not finite (NaN or Inf in the input) gets NaN, and the block of rows it fell in is left out
 * of the per-feature sums (one pass over the values, no per-row copy).
 *
 * One worker serves every kernel of the process (each kernel is a session in it), so its code
 * stays compiled hot between checks; it is unref'd and never keeps the process alive.
 */

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

export interface ErrorKernel {
  /**
   * Row errors of one batch. x and y are moved to the worker (unusable here afterwards); y comes
   * back with the errors, for reuse as a reconstruction buffer.
   */
  rowErrors(x: Float32Array, y: Float32Array, rows: number): Promise<{ errors: Float64Array; y: Float32Array }>;
  /** The per-feature sums; ends the kernel. */
  finish(): Promise<FeatureErrorSums>;
  /** Ends the kernel without results (on errors). */
  close(): void;
}

export const BLOCK_ROWS = 16;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const sessions = new Map();
// Plain functions over typed arrays and offsets (no views made per block), so the JIT compiles
// tight loops. Rows [start, start + n) of x and y; errors go to err[start..].
function rowsUnscaled(x, y, start, n, F, block, err) {
  for (let i = start, b = start * F; i < start + n; i++) {
    let t = 0;
    for (let j = 0; j < F; j++, b++) { const r = x[b] - y[b]; const q = r * r; block[j] += q; t += q; }
    err[i] = t / F;
  }
}
function rowsScaled(x, y, start, n, F, inv, block, err) {
  for (let i = start, b = start * F; i < start + n; i++) {
    let t = 0;
    for (let j = 0; j < F; j++, b++) { const r = (x[b] - y[b]) * inv[j]; const q = r * r; block[j] += q; t += q; }
    err[i] = t / F;
  }
}
// A block of ${BLOCK_ROWS} rows at a time: a block with a non-finite row is left out of the
// per-feature sums; its rows' errors are still reported (NaN for the bad row itself).
function rowsMessage(s, m) {
  const F = s.F, block = s.block, x = m.x, y = m.y, n = m.rows, err = new Float64Array(n);
  for (let start = 0; start < n; start += ${BLOCK_ROWS}) {
    const rows = Math.min(${BLOCK_ROWS}, n - start);
    block.fill(0);
    if (s.unscaled) rowsUnscaled(x, y, start, rows, F, block, err); else rowsScaled(x, y, start, rows, F, s.inv, block, err);
    let finite = true;
    for (let i = start; i < start + rows; i++) if (!Number.isFinite(err[i])) { err[i] = NaN; finite = false; }
    if (!finite) continue;
    s.rows += rows;
    const full = rows === ${BLOCK_ROWS};
    for (let j = 0; j < F; j++) { const v = block[j]; s.sum[j] += v; if (full) { s.blockSum[j] += v; s.blockSumSq[j] += v * v; } }
    if (full) s.blocks++;
  }
  return err;
}
parentPort.on('message', (m) => {
  if (m.type === 'open') {
    const F = m.features;
    sessions.set(m.sid, { F, inv: m.invScale, unscaled: m.invScale.every((v) => v === 1), rows: 0, blocks: 0, sum: new Float64Array(F), blockSum: new Float64Array(F),
      blockSumSq: new Float64Array(F), block: new Float64Array(F) });
  } else if (m.type === 'rows') {
    const s = sessions.get(m.sid);
    if (!s) return;
    const err = rowsMessage(s, m);
    // y goes back for reuse as the next reconstruction buffer.
    parentPort.postMessage({ type: 'errors', sid: m.sid, id: m.id, err, y: m.y }, [err.buffer, m.y.buffer]);
  } else if (m.type === 'finish') {
    const s = sessions.get(m.sid);
    sessions.delete(m.sid);
    if (!s) return;
    parentPort.postMessage({ type: 'sums', sid: m.sid, sums: { rows: s.rows, sum: s.sum, blockSum: s.blockSum, blockSumSq: s.blockSumSq, blocks: s.blocks, blockRows: ${BLOCK_ROWS} } });
  } else if (m.type === 'close') sessions.delete(m.sid);
});
`;

type Reply = { type: 'errors'; sid: number; id: number; err: Float64Array; y: Float32Array } | { type: 'sums'; sid: number; sums: FeatureErrorSums };

interface Pending {
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

let shared: { worker: Worker; pending: Map<string, Pending> } | undefined;
let nextSession = 0;

function worker(): { worker: Worker; pending: Map<string, Pending> } {
  if (shared) return shared;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  const pending = new Map<string, Pending>();
  const state = { worker: w, pending };
  w.unref();
  w.on('message', (m: Reply) => {
    const key = m.type === 'errors' ? `${m.sid}:${m.id}` : `${m.sid}:sums`;
    const p = pending.get(key);
    pending.delete(key);
    p?.resolve((m.type === 'errors' ? { errors: m.err, y: m.y } : m.sums) as never);
  });
  const fail = (err: Error) => {
    if (shared === state) shared = undefined;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the reconstruction-error worker exited with code ${code}`)));
  shared = state;
  return state;
}

/** A view that owns its whole buffer can be moved to the worker; anything else is copied first. */
function movable(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer ? a : a.slice();
}

export function createErrorKernel(features: number, invScale: Float32Array): ErrorKernel {
  const { worker: w, pending } = worker();
  const sid = nextSession++;
  let nextId = 0;
  w.postMessage({ type: 'open', sid, features, invScale });
  const ask = <T>(key: string, send: () => void) =>
    new Promise<T>((resolve, reject) => {
      pending.set(key, { resolve: resolve as (v: never) => void, reject });
      send();
    });
  return {
    rowErrors(x, y, rows) {
      const id = nextId++;
      const xs = movable(x);
      const ys = movable(y);
      return ask<{ errors: Float64Array; y: Float32Array }>(`${sid}:${id}`, () => w.postMessage({ type: 'rows', sid, id, x: xs, y: ys, rows }, [xs.buffer as ArrayBuffer, ys.buffer as ArrayBuffer]));
    },
    finish: () => ask<FeatureErrorSums>(`${sid}:sums`, () => w.postMessage({ type: 'finish', sid })),
    close() {
      w.postMessage({ type: 'close', sid });
      for (const key of [...pending.keys()]) if (key.startsWith(`${sid}:`)) pending.delete(key);
    },
  };
}
