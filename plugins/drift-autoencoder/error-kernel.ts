import { Worker } from 'node:worker_threads';

/**
 * Reconstruction-error arithmetic on a worker thread, so it runs beside ONNX Runtime (which
 * holds the main thread while it infers) instead of after it. Per row: the mean over features of
 * r² with r = (x − y) · invScale. Per feature: the sum of r² over finite rows, and the sum of
 * squared block sums (blocks of BLOCK rows) for the variance of the feature's mean error.
 * Rows whose error is not finite (NaN or Inf in the input) get NaN and stay out of the sums.
 */

export interface FeatureErrorSums {
  /** Finite rows summed. */
  rows: number;
  /** Σ r² per feature over all finite rows. */
  sum: Float64Array;
  /** Σ (block sum of r²)² per feature, over `blocks` full blocks of `blockRows` rows. */
  blockSumSq: Float64Array;
  /** Σ block sum per feature over the full blocks only. */
  blockSum: Float64Array;
  blocks: number;
  blockRows: number;
}

export interface ErrorKernel {
  /** Row errors of one batch; x and y are handed over to the worker (do not use them afterwards). */
  rowErrors(x: Float32Array, y: Float32Array, rows: number): Promise<Float64Array>;
  /** The per-feature sums so far; ends the worker. */
  finish(): Promise<FeatureErrorSums>;
  /** Ends the worker without results (on errors). */
  terminate(): Promise<void>;
}

export const BLOCK_ROWS = 16;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const F = workerData.features, inv = workerData.invScale, BLOCK = workerData.blockRows;
const sum = new Float64Array(F), blockSum = new Float64Array(F), blockSumSq = new Float64Array(F), block = new Float64Array(F), r2s = new Float64Array(F);
let rows = 0, blocks = 0, inBlock = 0;
parentPort.on('message', (m) => {
  if (m.type === 'finish') {
    for (let j = 0; j < F; j++) sum[j] += block[j];
    parentPort.postMessage({ type: 'sums', sums: { rows, sum, blockSum, blockSumSq, blocks, blockRows: BLOCK } });
    return;
  }
  const x = m.x, y = m.y, n = m.rows, err = new Float64Array(n);
  for (let i = 0, b = 0; i < n; i++, b += F) {
    let s = 0;
    for (let j = 0; j < F; j++) { const r = (x[b + j] - y[b + j]) * inv[j]; const q = r * r; r2s[j] = q; s += q; }
    if (!Number.isFinite(s)) { err[i] = NaN; continue; }
    err[i] = s / F;
    for (let j = 0; j < F; j++) block[j] += r2s[j];
    rows++;
    if (++inBlock === BLOCK) {
      for (let j = 0; j < F; j++) { const v = block[j]; sum[j] += v; blockSum[j] += v; blockSumSq[j] += v * v; block[j] = 0; }
      blocks++; inBlock = 0;
    }
  }
  parentPort.postMessage({ type: 'errors', id: m.id, err }, [err.buffer]);
});
`;

export function createErrorKernel(features: number, invScale: Float32Array): ErrorKernel {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { features, invScale, blockRows: BLOCK_ROWS } });
  const waiting = new Map<number, { resolve: (e: Float64Array) => void; reject: (e: Error) => void }>();
  let onSums: ((s: FeatureErrorSums) => void) | undefined;
  let failure: Error | undefined;
  let nextId = 0;
  const fail = (err: Error) => {
    failure = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (m: { type: 'errors'; id: number; err: Float64Array } | { type: 'sums'; sums: FeatureErrorSums }) => {
    if (m.type === 'sums') onSums?.(m.sums);
    else {
      waiting.get(m.id)?.resolve(m.err);
      waiting.delete(m.id);
    }
  });
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (waiting.size) fail(new Error(`the error worker exited (code ${code}) with ${waiting.size} batches pending`));
  });
  const transferable = (a: Float32Array) => (a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer ? a : a.slice());
  return {
    rowErrors(x, y, rows) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const xs = transferable(x);
      const ys = transferable(y);
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ type: 'rows', id, x: xs, y: ys, rows }, [xs.buffer as ArrayBuffer, ys.buffer as ArrayBuffer]);
      });
    },
    async finish() {
      const sums = await new Promise<FeatureErrorSums>((resolve, reject) => {
        if (failure) reject(failure);
        onSums = resolve;
        worker.postMessage({ type: 'finish' });
      });
      await worker.terminate();
      return sums;
    },
    async terminate() {
      await worker.terminate();
    },
  };
}
