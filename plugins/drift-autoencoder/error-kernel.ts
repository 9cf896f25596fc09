import { Worker } from 'node:worker_threads';
import { BLOCK_ROWS, errorModuleBytes, layout } from './error-wasm';
import { wasm } from './wasm-encoder';

/**
 * Reconstruction errors computed beside inference: the main thread hands each batch's input and
 * reconstruction to a worker thread (moved, not copied) and goes on to infer the next batch,
 * while the worker runs the SIMD kernel of `error-wasm.ts` on them. The kernel costs about a
 * twentieth of a dense autoencoder's inference, so it keeps up even when it has to share a core.
 *
 * One worker serves every kernel of the process (each kernel is a session in it, with its own
 * WebAssembly memory), so its code stays compiled hot between checks. It keeps the process alive
 * only while a reply is awaited.
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

/** One batch: the model input and reconstruction (rows × F values at the start of each) and room for the row errors. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  errors: Float64Array;
}

export interface RowErrors {
  /** Per row: the mean of r² over features, NaN for a row with NaN or Inf (the first `rows` values of `batch.errors`). */
  errors: Float64Array;
  /** Rows with a NaN error. */
  nonFinite: number;
  /** The batch's arrays, back for reuse. */
  batch: Batch;
}

export interface ErrorKernel {
  /**
   * Row errors of one batch. Its arrays are moved to the worker (unusable here until they come
   * back with the result); any too small or not owning its whole buffer is replaced. Batches
   * finish in order.
   */
  rowErrors(batch: Batch, rows: number): Promise<RowErrors>;
  /** The per-feature sums; ends the kernel. */
  finish(): Promise<FeatureErrorSums>;
  /** Ends the kernel without results (on errors). */
  close(): void;
}

// Each session: its module instance and memory (header at 0, then one batch from dataStart: x and
// y as float32, the errors as float64), grown when a batch needs more room.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const PAGE = 65536;
const sessions = new Map();
function room(s, rows) {
  const need = s.at.dataStart + rows * (s.F * 8 + 8);
  if (need > s.memory.buffer.byteLength) s.memory.grow(Math.ceil((need - s.memory.buffer.byteLength) / PAGE));
}
parentPort.on('message', (m) => {
  if (m.type === 'open') {
    const memory = new WebAssembly.Memory({ initial: Math.ceil(m.at.dataStart / PAGE) });
    const fn = new WebAssembly.Instance(m.module, { env: { memory } }).exports;
    new Float64Array(memory.buffer, m.at.invScale, m.features).set(m.invScale);
    sessions.set(m.sid, { F: m.features, at: m.at, memory, fn });
  } else if (m.type === 'rows') {
    const s = sessions.get(m.sid);
    if (!s) return;
    const n = m.rows, F = s.F, x = s.at.dataStart, y = x + n * F * 4, e = y + n * F * 4;
    try {
      room(s, n);
      new Float32Array(s.memory.buffer, x, n * F).set(m.x.subarray(0, n * F));
      new Float32Array(s.memory.buffer, y, n * F).set(m.y.subarray(0, n * F));
      const nonFinite = s.fn.batch(x, y, e, n, F);
      m.err.set(new Float64Array(s.memory.buffer, e, n));
      parentPort.postMessage({ type: 'errors', sid: m.sid, id: m.id, nonFinite, x: m.x, y: m.y, err: m.err }, [m.x.buffer, m.y.buffer, m.err.buffer]);
    } catch (error) {
      parentPort.postMessage({ type: 'failed', sid: m.sid, id: m.id, error: String(error) });
    }
  } else if (m.type === 'finish') {
    const s = sessions.get(m.sid);
    sessions.delete(m.sid);
    if (!s) return;
    const copy = (offset) => new Float64Array(s.memory.buffer, offset, s.F).slice();
    const counters = new Float64Array(s.memory.buffer, s.at.counters, 2);
    parentPort.postMessage({ type: 'sums', sid: m.sid, sums: { rows: counters[0], sum: copy(s.at.sum), blockSum: copy(s.at.blockSum),
      blockSumSq: copy(s.at.blockSumSq), blocks: counters[1], blockRows: ${BLOCK_ROWS} } });
  } else if (m.type === 'close') sessions.delete(m.sid);
});
`;

type Reply =
  | { type: 'errors'; sid: number; id: number; nonFinite: number; x: Float32Array; y: Float32Array; err: Float64Array }
  | { type: 'failed'; sid: number; id: number; error: string }
  | { type: 'sums'; sid: number; sums: FeatureErrorSums };

interface Pending {
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

let shared: { worker: Worker; pending: Map<string, Pending> } | undefined;
let compiled: object | undefined;
let nextSession = 0;

function worker(): { worker: Worker; pending: Map<string, Pending> } {
  if (shared) return shared;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  const pending = new Map<string, Pending>();
  const state = { worker: w, pending };
  w.on('message', (m: Reply) => {
    const key = m.type === 'sums' ? `${m.sid}:sums` : `${m.sid}:${m.id}`;
    const p = pending.get(key);
    pending.delete(key);
    if (pending.size === 0) w.unref();
    if (m.type === 'failed') p?.reject(new Error(`reconstruction-error kernel: ${m.error}`));
    else p?.resolve((m.type === 'errors' ? { errors: m.err, nonFinite: m.nonFinite, batch: { x: m.x, y: m.y, errors: m.err } } : m.sums) as never);
  });
  const fail = (err: Error) => {
    if (shared === state) shared = undefined;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the reconstruction-error worker exited with code ${code}`)));
  // Unref'd only after the listeners are on (adding a 'message' listener refs the worker again).
  w.unref();
  shared = state;
  return state;
}

/** A view that owns its whole buffer can be moved to the worker; anything else is copied first. */
function movable<T extends Float32Array | Float64Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer ? a : (a.slice() as T);
}
const owns = (a: Float32Array | Float64Array) => a.buffer as ArrayBuffer;

export function createErrorKernel(features: number, invScale: Float32Array): ErrorKernel {
  const { worker: w, pending } = worker();
  compiled ??= new wasm.Module(errorModuleBytes());
  const sid = nextSession++;
  let nextId = 0;
  w.postMessage({ type: 'open', sid, module: compiled, features, invScale, at: layout(features) });
  const ask = <T>(key: string, send: () => void) =>
    new Promise<T>((resolve, reject) => {
      if (pending.size === 0) w.ref();
      pending.set(key, { resolve: resolve as (v: never) => void, reject });
      send();
    });
  return {
    async rowErrors(batch, rows) {
      const id = nextId++;
      const x = movable(batch.x);
      const y = movable(batch.y);
      const err = batch.errors.length >= rows ? movable(batch.errors) : new Float64Array(rows);
      const done = await ask<RowErrors>(`${sid}:${id}`, () => w.postMessage({ type: 'rows', sid, id, x, y, err, rows }, [owns(x), owns(y), owns(err)]));
      return { ...done, errors: done.errors.subarray(0, rows) };
    },
    finish: () => ask<FeatureErrorSums>(`${sid}:sums`, () => w.postMessage({ type: 'finish', sid })),
    close() {
      w.postMessage({ type: 'close', sid });
      for (const key of [...pending.keys()]) if (key.startsWith(`${sid}:`)) pending.delete(key);
      if (pending.size === 0) w.unref();
    },
  };
}
