import type { InferenceSession } from 'onnxruntime-node';
import type { SlotOffsets } from './batch-slots.js';
import type { FeatureErrorSums, KernelLayout } from './error-wasm.js';
import type { ModelSignature } from './model.js';
import type { WasmModule } from './wasm-api.js';

/**
 * The messages between inference-thread.ts (the caller's side) and inference-worker.ts (the
 * inference thread). The thread handles them one at a time, in the order they were sent.
 *
 *   open     → opened | failed     a model's session (reused when one with the same key is open)
 *   release                        the model handle is let go of
 *   attach                         a pass: the caller's shared slots, the kernel, invScale
 *   infer    → inferred | failed   one batch: reconstruct, then the row errors into the slot
 *   finish   → summed | failed     the per-feature sums of the pass
 *   detach                         the pass ends
 *
 * Replies name what they answer: a model by `mid`, a pass's batch by `pid` and `id`.
 */

/** Rows the inference thread reads from a file itself: little-endian float32, `rowBytes` apart from `dataOffset`. */
export interface RowFile {
  path: string;
  dataOffset: number;
  rowBytes: number;
  rows: number;
}

export interface OpenRequest {
  type: 'open';
  mid: number;
  /** Sessions are shared by key: the model's sha256 and the thread count. */
  key: string;
  bytes: Uint8Array;
  options: InferenceSession.SessionOptions;
}

export interface ReleaseRequest {
  type: 'release';
  mid: number;
}

export interface AttachRequest {
  type: 'attach';
  pid: number;
  mid: number;
  /** The caller's slots (batch-slots.ts). */
  slots: SharedArrayBuffer;
  offsets: readonly SlotOffsets[];
  slotRows: number;
  /** Dimensions of one sample as fed to the model. */
  sampleShape: number[];
  inputName: string;
  outputName: string;
  sameShapeOutput: boolean;
  /** The compiled error kernel (error-kernel.wat), or none to run the TypeScript reference. */
  module?: WasmModule;
  invScale: Float32Array;
  at: KernelLayout;
  blockRows: number;
  /** Batches come from this file instead of the slots' input regions. */
  file?: RowFile;
}

export interface InferRequest {
  type: 'infer';
  pid: number;
  id: number;
  slot: number;
  rows: number;
  /** The first row of the batch in the pass's file (file passes only). */
  offset: number;
}

export interface FinishRequest {
  type: 'finish';
  pid: number;
  id: -1;
}

export interface DetachRequest {
  type: 'detach';
  pid: number;
}

export type InferenceRequest =
  OpenRequest | ReleaseRequest | AttachRequest | InferRequest | FinishRequest | DetachRequest;

export interface OpenedReply {
  type: 'opened';
  mid: number;
  signature: ModelSignature;
}

export interface InferredReply {
  type: 'inferred';
  pid: number;
  id: number;
  /** Rows of the batch whose error is not finite. */
  nonFinite: number;
}

export interface SummedReply {
  type: 'summed';
  pid: number;
  id: -1;
  sums: FeatureErrorSums;
}

/** Why a request failed; the caller turns it into the matching error. */
export type FailureKind = 'load' | 'not-autoencoder' | 'error';

export interface FailedReply {
  type: 'failed';
  mid?: number;
  pid?: number;
  id?: number;
  kind: FailureKind;
  message: string;
  /** load: the size of the model's bytes. */
  bytes?: number;
  /** not-autoencoder: what the model's output turned out to be. */
  outputName?: string;
  outDims?: number[];
  outType?: string;
  inDims?: number[];
}

export type InferenceReply = OpenedReply | InferredReply | SummedReply | FailedReply;

/** Where a reply goes: a model's open (by mid) or a pass's batch (by pid and id). */
export function replyKey(m: { mid?: number; pid?: number; id?: number }): string {
  return m.pid === undefined ? `m:${m.mid}` : `p:${m.pid}:${m.id}`;
}
