import { DataShapeError } from '../data/errors.js';
import { siblingModule, startModuleWorker } from '../modules/sibling-module.js';
import type { SlotOffsets } from './batch-slots.js';
import { BLOCK_ROWS, errorKernelBytes, layout, type FeatureErrorSums } from './error-wasm.js';
import {
  replyKey,
  type FailedReply,
  type InferenceReply,
  type InferenceRequest,
  type RowFile,
} from './inference-protocol.js';
import {
  describeAutoencoder,
  modelLoadError,
  notAnAutoencoder,
  sessionOptions,
  type AutoencoderShape,
  type ModelSignature,
  type OpenModelOptions,
} from './model.js';
import { wasm, type WasmModule } from './wasm-api.js';

export type { RowFile } from './inference-protocol.js';

/**
 * Inference off the main thread. onnxruntime-node runs a session synchronously on the calling
 * thread, so a check that inferred on the main thread could do nothing else meanwhile. Here the
 * autoencoder and the SIMD error kernel (error-kernel.wat) run on a worker thread
 * (inference-worker.ts), while the main thread reads the next batches and samples the errors of
 * the finished ones. Batches stay in shared slots (batch-slots.ts); messages
 * (inference-protocol.ts) only say which slot to score.
 *
 * One worker serves the whole process. It keeps a few ONNX sessions open between checks (keyed by
 * the model's sha256), and keeps the process alive only while a reply is awaited.
 */

/** Slots in a shared buffer, each holding a batch's input at `x` and receiving its row errors at `errors`. */
export interface SlotMemory {
  buffer: SharedArrayBuffer;
  offsets: readonly SlotOffsets[];
  slotRows: number;
}

/** Inference over one set of slots. */
export interface InferencePass {
  /**
   * Reconstructs `rows` rows (the first of a slot's input, or from row `offset` of the pass's
   * file) and writes their errors into the slot's errors region; resolves with how many rows had
   * a NaN error. Batches finish in order; a file pass asks for consecutive rows.
   */
  reconstruct(slot: number, rows: number, offset: number): Promise<number>;
  /** The per-feature sums of every batch of the pass. */
  finish(): Promise<FeatureErrorSums>;
  /** Ends the pass (the inference thread lets go of the memory). */
  close(): void;
}

/** An autoencoder opened on the inference thread, checked against the data's shape. */
export interface InferenceModel extends AutoencoderShape {
  /**
   * Starts a pass over these slots; `invScale` (one value per feature) multiplies residuals
   * before squaring. With `file`, batches are read from it by the inference thread.
   */
  attach(slots: SlotMemory, invScale: Float32Array, file?: RowFile): InferencePass;
  release(): void;
}

interface Pending {
  resolve: (value: never) => void;
  reject: (err: Error) => void;
}

function failureError(f: FailedReply): Error {
  if (f.kind === 'load') return modelLoadError(f.bytes ?? 0, f.message);
  if (f.kind === 'not-autoencoder')
    return notAnAutoencoder(f.outputName ?? '', f.outDims ?? [], f.outType ?? '', f.inDims ?? []);
  // ONNX Runtime's own complaints about shapes name the problem; keep them whole.
  return /shape|dimension|rank/i.test(f.message)
    ? new DataShapeError(`the model rejected the data: ${f.message}`)
    : new Error(`inference thread: ${f.message}`);
}

interface Thread {
  pending: Map<string, Pending>;
  /** Lets the process exit once no reply is awaited. */
  idle(): void;
  ask<T>(key: string, message: InferenceRequest): Promise<T>;
  post(message: InferenceRequest): void;
}

let shared: Thread | undefined;
let nextId = 0;
let compiled: Promise<WasmModule | undefined> | undefined;

/**
 * The compiled error kernel, or undefined where WebAssembly SIMD is not available (the inference
 * thread then runs the TypeScript reference, error-kernel-reference.ts).
 */
function errorKernel(): Promise<WasmModule | undefined> {
  compiled ??= errorKernelBytes().then((bytes) => (wasm.validate(bytes) ? new wasm.Module(bytes) : undefined));
  compiled.catch(() => (compiled = undefined));
  return compiled;
}

function thread(): Thread {
  if (shared) return shared;
  const worker = startModuleWorker(siblingModule(import.meta.url, './inference-worker'));
  const pending = new Map<string, Pending>();
  const idle = () => {
    if (pending.size === 0) worker.unref();
  };
  const state: Thread = {
    pending,
    idle,
    ask: <T>(key: string, message: InferenceRequest) =>
      new Promise<T>((resolve, reject) => {
        if (pending.size === 0) worker.ref();
        pending.set(key, { resolve: resolve as (v: never) => void, reject });
        worker.postMessage(message);
      }),
    post: (message) => worker.postMessage(message),
  };
  worker.on('message', (m: InferenceReply) => {
    const key = replyKey(m);
    const p = pending.get(key);
    pending.delete(key);
    idle();
    if (m.type === 'failed') p?.reject(failureError(m));
    else p?.resolve((m.type === 'opened' ? m.signature : m.type === 'summed' ? m.sums : m.nonFinite) as never);
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
 * input does not fit the data a DataShapeError naming both shapes. The shape may still be on its
 * way (a header being read): the model opens meanwhile.
 */
export async function openInferenceModel(
  bytes: Uint8Array,
  sha256: string,
  featureShape: readonly number[] | Promise<readonly number[]>,
  opts: OpenModelOptions & { kernel?: 'wasm' | 'reference' } = {},
): Promise<InferenceModel> {
  const t = thread();
  const mid = nextId++;
  const threads = opts.threads ?? 1;
  const opened = t.ask<ModelSignature>(`m:${mid}`, {
    type: 'open',
    mid,
    key: `${sha256}:${threads}`,
    bytes,
    options: sessionOptions(threads),
  });
  let shape: AutoencoderShape;
  try {
    const [signature, rowShape] = await Promise.all([opened, featureShape]);
    shape = describeAutoencoder(signature, rowShape, opts);
  } catch (err) {
    // Whichever failed, the model is let go of once it is open.
    opened.then(
      () => t.post({ type: 'release', mid }),
      () => undefined,
    );
    throw err;
  }
  const { inputName, outputName, sampleShape, sameShapeOutput } = shape;
  const module = opts.kernel === 'reference' ? undefined : await errorKernel();
  return {
    ...shape,
    attach({ buffer, offsets, slotRows }, invScale, file) {
      if (invScale.length !== shape.features)
        throw new RangeError(`invScale has ${invScale.length} values for ${shape.features} features`);
      const pid = nextId++;
      let batch = 0;
      const at = layout(shape.features);
      t.post({
        type: 'attach',
        pid,
        mid,
        slots: buffer,
        offsets,
        slotRows,
        sampleShape,
        inputName,
        outputName,
        sameShapeOutput,
        module,
        invScale,
        at,
        blockRows: BLOCK_ROWS,
        file,
      });
      return {
        reconstruct(slot, rows, offset) {
          const id = batch++;
          return t.ask(`p:${pid}:${id}`, { type: 'infer', pid, id, slot, rows, offset });
        },
        finish: () => t.ask<FeatureErrorSums>(`p:${pid}:-1`, { type: 'finish', pid, id: -1 }),
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
