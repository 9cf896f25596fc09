import { Worker } from 'node:worker_threads';
import { DataShapeError } from '../errors';
import type { SlotOffsets } from './error-kernel';
import { describeAutoencoder, modelLoadError, notAnAutoencoder, type AutoencoderShape, type ModelSignature, type OpenModelOptions } from './model';
import type { WasmMemory } from './wasm-encoder';

/**
 * Inference off the main thread. onnxruntime-node runs a session synchronously on the calling
 * thread, so a check that inferred on the main thread could do nothing else meanwhile. Here the
 * autoencoder runs on a worker thread (inference-worker.mjs); the main thread reads the next
 * batches and scores the finished ones beside it. Batches stay in a shared memory (the error
 * kernel's slots, see error-kernel.ts); messages only say which slot to reconstruct.
 *
 * One worker serves the whole process. It keeps a few ONNX sessions open between checks (keyed by
 * the model's sha256), and keeps the process alive only while a reply is awaited.
 */

/** Slots in a shared memory, each holding a batch's input at `x` and receiving its reconstruction at `y`. */
export interface SlotMemory {
  memory: WasmMemory;
  offsets: readonly SlotOffsets[];
  slotRows: number;
}

/** Inference over one set of slots. */
export interface InferencePass {
  /** Reconstructs the first `rows` rows of a slot's input into its reconstruction region. Batches finish in order. */
  reconstruct(slot: number, rows: number): Promise<void>;
  /** Ends the pass (the inference thread lets go of the memory). */
  close(): void;
}

/** An autoencoder opened on the inference thread, checked against the data's shape. */
export interface InferenceModel extends AutoencoderShape {
  attach(slots: SlotMemory): InferencePass;
  release(): void;
}

interface Failure {
  type: 'failed';
  mid?: number;
  pid?: number;
  id?: number;
  kind: 'load' | 'not-autoencoder' | 'error';
  message: string;
  bytes?: number;
  outputName?: string;
  outDims?: number[];
  outType?: string;
  inDims?: number[];
}

type Reply = { type: 'opened'; mid: number; signature: ModelSignature } | { type: 'inferred'; pid: number; id: number } | Failure;

/** Where a reply goes: a model's open (by mid) or a pass's batch (by pid and id). */
const replyKey = (m: { mid?: number; pid?: number; id?: number }) => (m.pid === undefined ? `m:${m.mid}` : `p:${m.pid}:${m.id}`);

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
  /** Lets the process exit once no reply is awaited. */
  idle(): void;
  ask<T>(key: string, message: object): Promise<T>;
  post(message: object): void;
}

let shared: Thread | undefined;
let nextId = 0;

function thread(): Thread {
  if (shared) return shared;
  const worker = new Worker(new URL('./inference-worker.mjs', import.meta.url));
  const pending = new Map<string, Pending>();
  const idle = () => {
    if (pending.size === 0) worker.unref();
  };
  const state: Thread = {
    pending,
    idle,
    ask: <T>(key: string, message: object) =>
      new Promise<T>((resolve, reject) => {
        if (pending.size === 0) worker.ref();
        pending.set(key, { resolve: resolve as (v: never) => void, reject });
        worker.postMessage(message);
      }),
    post: (message) => worker.postMessage(message),
  };
  worker.on('message', (m: Reply) => {
    const key = replyKey(m);
    const p = pending.get(key);
    pending.delete(key);
    idle();
    if (m.type === 'failed') p?.reject(failureError(m));
    else p?.resolve((m.type === 'opened' ? m.signature : undefined) as never);
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

/**
 * Opens an ONNX autoencoder on the inference thread (or reuses the session it has for `sha256`)
 * and checks it against rows of `featureShape`: a corrupt model is a ModelLoadError, one whose
 * input does not fit the data a DataShapeError naming both shapes.
 */
export async function openInferenceModel(bytes: Uint8Array, sha256: string, featureShape: readonly number[], opts: OpenModelOptions = {}): Promise<InferenceModel> {
  const t = thread();
  const mid = nextId++;
  const threads = opts.threads ?? 1;
  const signature = await t.ask<ModelSignature>(`m:${mid}`, { type: 'open', mid, key: `${sha256}:${threads}`, bytes, threads });
  let shape: AutoencoderShape;
  try {
    shape = describeAutoencoder(signature, featureShape, opts);
  } catch (err) {
    t.post({ type: 'release', mid });
    throw err;
  }
  const { inputName, outputName, sampleShape, sameShapeOutput } = shape;
  return {
    ...shape,
    attach({ memory, offsets, slotRows }) {
      const pid = nextId++;
      let batch = 0;
      t.post({ type: 'attach', pid, mid, memory, offsets, slotRows, sampleShape, inputName, outputName, sameShapeOutput });
      return {
        reconstruct(slot, rows) {
          const id = batch++;
          return t.ask(`p:${pid}:${id}`, { type: 'infer', pid, id, slot, rows });
        },
        close() {
          t.post({ type: 'detach', pid });
          for (const key of [...t.pending.keys()]) if (key.startsWith(`p:${pid}:`)) t.pending.delete(key);
          t.idle();
        },
      };
    },
    release: () => t.post({ type: 'release', mid }),
  };
}
