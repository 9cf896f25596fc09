import { Worker } from 'node:worker_threads';
import { DataShapeError } from '../errors';
import { describeAutoencoder, modelLoadError, notAnAutoencoder, type AutoencoderShape, type ModelSignature, type OpenModelOptions } from './model';

/**
 * Inference off the main thread. onnxruntime-node runs a session synchronously on the calling
 * thread, so a check that inferred on the main thread could do nothing else meanwhile. Here the
 * autoencoder runs on a worker thread (inference-worker.mjs); the main thread reads the next
 * batches and scores the finished ones beside it. Batches move to the worker and back
 * (transferred, never copied).
 *
 * One worker serves the whole process. It keeps a few ONNX sessions open between checks (keyed by
 * the model's sha256), and keeps the process alive only while a reply is awaited.
 */

/** An autoencoder opened on the inference thread, checked against the data's shape. */
export interface InferenceModel extends AutoencoderShape {
  /**
   * Reconstructs `rows` rows of `x`, into `y` when given (as long as x; needs `sameShapeOutput`).
   * Both arrays are moved to the worker and unusable here until they come back in the result;
   * one that does not own its whole buffer is copied first. Batches finish in order.
   */
  reconstruct(x: Float32Array, rows: number, y?: Float32Array): Promise<{ x: Float32Array; y: Float32Array }>;
  release(): void;
}

interface Failure {
  type: 'failed';
  mid: number;
  id?: number;
  kind: 'load' | 'not-autoencoder' | 'error';
  message: string;
  bytes?: number;
  outputName?: string;
  outDims?: number[];
  outType?: string;
  inDims?: number[];
}

type Reply = { type: 'opened'; mid: number; signature: ModelSignature } | { type: 'inferred'; mid: number; id: number; x: Float32Array; y: Float32Array } | Failure;

interface Pending {
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

function failureError(f: Failure): Error {
  if (f.kind === 'load') return modelLoadError(f.bytes ?? 0, f.message);
  if (f.kind === 'not-autoencoder') return notAnAutoencoder(f.outputName ?? '', f.outDims ?? [], f.outType ?? '', f.inDims ?? []);
  // ONNX Runtime's own complaints about shapes name the problem; keep them whole.
  return /shape|dimension|rank/i.test(f.message) ? new DataShapeError(`the model rejected the data: ${f.message}`) : new Error(`inference thread: ${f.message}`);
}

interface Thread {
  pending: Map<string, Pending>;
  ask<T>(key: string, message: object, transfer?: ArrayBuffer[]): Promise<T>;
  post(message: object): void;
}

let shared: Thread | undefined;
let nextId = 0;

function thread(): Thread {
  if (shared) return shared;
  const worker = new Worker(new URL('./inference-worker.mjs', import.meta.url));
  const pending = new Map<string, Pending>();
  const state: Thread = {
    pending,
    ask: <T>(key: string, message: object, transfer: ArrayBuffer[] = []) =>
      new Promise<T>((resolve, reject) => {
        if (pending.size === 0) worker.ref();
        pending.set(key, { resolve: resolve as (v: never) => void, reject });
        worker.postMessage(message, transfer);
      }),
    post: (message) => worker.postMessage(message),
  };
  worker.on('message', (m: Reply) => {
    const key = m.type === 'opened' || m.id === undefined ? `${m.mid}` : `${m.mid}:${m.id}`;
    const p = pending.get(key);
    pending.delete(key);
    if (pending.size === 0) worker.unref();
    if (m.type === 'failed') p?.reject(failureError(m));
    else p?.resolve((m.type === 'opened' ? m.signature : { x: m.x, y: m.y }) as never);
  });
  const fail = (err: Error) => {
    if (shared === state) shared = undefined;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the drift-autoencoder inference thread exited with code ${code}`)));
  // Unref'd only after the listeners are on (adding a 'message' listener refs the worker again).
  worker.unref();
  shared = state;
  return state;
}

/** A view that owns its whole buffer can be moved to the worker; anything else is copied first. */
function movable(a: Float32Array): Float32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer ? a : a.slice();
}

/**
 * Opens an ONNX autoencoder on the inference thread (or reuses the session it has for `sha256`)
 * and checks it against rows of `featureShape`: a corrupt model is a ModelLoadError, one whose
 * input does not fit the data a DataShapeError naming both shapes.
 */
export async function openInferenceModel(bytes: Uint8Array, sha256: string, featureShape: readonly number[], opts: OpenModelOptions = {}): Promise<InferenceModel> {
  const t = thread();
  const mid = nextId++;
  const threads = opts.threads ?? 1;
  const signature = await t.ask<ModelSignature>(`${mid}`, { type: 'open', mid, key: `${sha256}:${threads}`, bytes, threads });
  let shape: AutoencoderShape;
  try {
    shape = describeAutoencoder(signature, featureShape, opts);
  } catch (err) {
    t.post({ type: 'release', mid });
    throw err;
  }
  const { inputName, outputName, sampleShape, sameShapeOutput } = shape;
  let batch = 0;
  return {
    ...shape,
    reconstruct(x, rows, y) {
      const id = batch++;
      const values = rows * shape.features;
      const xs = movable(x.length === values ? x : x.subarray(0, values));
      const ys = y && sameShapeOutput && y.length === values ? movable(y) : undefined;
      const message = { type: 'infer', mid, id, x: xs, y: ys, dims: [rows, ...sampleShape], inputName, outputName };
      return t.ask(`${mid}:${id}`, message, ys ? [xs.buffer as ArrayBuffer, ys.buffer as ArrayBuffer] : [xs.buffer as ArrayBuffer]);
    },
    release: () => t.post({ type: 'release', mid }),
  };
}
