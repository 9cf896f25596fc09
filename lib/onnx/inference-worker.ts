/**
 * The inference thread of drift-autoencoder (started by inference-thread.ts; its messages are
 * inference-protocol.ts). It holds ONNX sessions and scores batches with them, one message at a
 * time, in order. onnxruntime-node runs a session synchronously on the thread that calls it, so
 * inference here leaves the main thread free to read and sample the next batches.
 *
 * Batches live in the caller's shared slots (batch-slots.ts). ONNX Runtime does not take arrays
 * over shared memory, so each batch's input is copied into this thread's own WebAssembly memory;
 * ONNX Runtime reads it there and writes the reconstruction beside it, the error kernel
 * (error-kernel.wat, or its TypeScript reference where SIMD is missing) computes the row errors
 * and per-feature sums in place, and the row errors are copied back into the slot. A pass over a
 * file of raw float32 rows (`file`) reads its batches from the file itself, one batch ahead, so
 * the input is never copied at all.
 */
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { parentPort as maybeParentPort, receiveMessageOnPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { referenceErrorKernel } from './error-kernel-reference.js';
import type { ErrorKernel, FeatureErrorSums } from './error-wasm.js';
import type {
  AttachRequest,
  DetachRequest,
  FailedReply,
  FinishRequest,
  InferRequest,
  InferenceReply,
  InferenceRequest,
  OpenedReply,
  OpenRequest,
  ReleaseRequest,
} from './inference-protocol.js';
import { wasm, type WasmMemory } from './wasm-api.js';

if (!maybeParentPort) throw new Error('inference-worker runs as a worker thread (started by inference-thread.ts)');
const parentPort = maybeParentPort;

/** Sessions kept open after their last user released them, for the next check of the same model. */
const IDLE_SESSIONS = 4;

interface SessionEntry {
  session: ort.InferenceSession;
  users: number;
}

/** key → session, in least-recently-used order. */
const sessions = new Map<string, SessionEntry>();
/** mid → the session entry a model handle holds. */
const models = new Map<number, SessionEntry>();

const plain = <M extends object>(m: M): M => ({
  ...m,
  ...('shape' in m && Array.isArray(m.shape) ? { shape: [...(m.shape as unknown[])] } : {}),
});

async function open(m: OpenRequest): Promise<OpenedReply | FailedReply> {
  let entry = sessions.get(m.key);
  if (entry) sessions.delete(m.key);
  else {
    try {
      entry = { session: await ort.InferenceSession.create(m.bytes, m.options), users: 0 };
    } catch (error) {
      return { type: 'failed', mid: m.mid, kind: 'load', message: (error as Error).message, bytes: m.bytes.byteLength };
    }
  }
  sessions.set(m.key, entry);
  entry.users++;
  models.set(m.mid, entry);
  const s = entry.session;
  return {
    type: 'opened',
    mid: m.mid,
    signature: {
      inputNames: [...s.inputNames],
      outputNames: [...s.outputNames],
      inputMetadata: s.inputMetadata.map(plain),
      outputMetadata: s.outputMetadata.map(plain),
    },
  };
}

async function release(m: ReleaseRequest): Promise<void> {
  const entry = models.get(m.mid);
  models.delete(m.mid);
  if (entry) entry.users--;
  let idle = [...sessions.values()].filter((e) => e.users === 0).length;
  for (const [key, e] of sessions) {
    if (idle <= IDLE_SESSIONS) break;
    if (e.users > 0) continue;
    sessions.delete(key);
    idle--;
    await e.session.release();
  }
}

/** A batch being read from the pass's file into kernel memory at `at`. */
interface FileRead {
  offset: number;
  at: number;
  done: Promise<void>;
}

/** A pass: the model, the caller's slots, and this thread's kernel and its memory. */
interface Pass extends Omit<AttachRequest, 'module'> {
  entry: SessionEntry | undefined;
  features: number;
  bytes: number;
  memory: WasmMemory;
  kernel: ErrorKernel;
  /** Where batch inputs go in kernel memory (two when batches come from a file). */
  xAt: number[];
  yAt: number;
  eAt: number;
  fh?: FileHandle;
  ahead?: FileRead;
}

const passes = new Map<number, Pass>();

/** The kernel memory of the last pass, for the next one of the same size. */
let spare: { bytes: number; memory: WasmMemory } | undefined;

const PAGE = 65536;

async function attach(m: AttachRequest): Promise<void> {
  const entry = models.get(m.mid);
  const features = m.sampleShape.reduce((a, b) => a * b, 1);
  const size = m.slotRows * features;
  // The kernel's own memory: header, the batch input (two of them when batches come from a file,
  // one read ahead while the other is inferred), the reconstruction and the row errors.
  const inputs = m.file ? 2 : 1;
  const bytes = m.at.dataStart + (inputs + 1) * size * 4 + m.slotRows * 8;
  const memory = spare?.bytes === bytes ? spare.memory : new wasm.Memory({ initial: Math.ceil(bytes / PAGE) });
  spare = undefined;
  const kernel = m.module
    ? (new wasm.Instance(m.module, { env: { memory } }).exports as ErrorKernel)
    : referenceErrorKernel(memory);
  new Uint8Array(memory.buffer, 0, m.at.dataStart).fill(0);
  new Float32Array(memory.buffer, m.at.invScale, features).set(m.invScale);
  const xAt = Array.from({ length: inputs }, (_, i) => m.at.dataStart + i * size * 4);
  const yAt = m.at.dataStart + inputs * size * 4;
  const eAt = yAt + size * 4;
  const { module: _module, ...request } = m;
  const pass: Pass = { ...request, entry, features, bytes, memory, kernel, xAt, yAt, eAt };
  passes.set(m.pid, pass);
  if (m.file) pass.fh = await openFile(m.file.path, 'r');
}

/** Starts reading `rows` rows of the pass's file from row `offset` into the kernel memory at `at`. */
function readRows(p: Pass, offset: number, rows: number, at: number): FileRead {
  const file = p.file!;
  const bytes = rows * file.rowBytes;
  const view = new Uint8Array(p.memory.buffer, at, bytes);
  const done = (async () => {
    for (let got = 0; got < bytes;) {
      const { bytesRead } = await p.fh!.read(view, got, bytes - got, file.dataOffset + offset * file.rowBytes + got);
      if (bytesRead === 0) throw new Error(`${file.path}: unexpected end of file at row ${offset}`);
      got += bytesRead;
    }
  })();
  done.catch(() => undefined); // awaited (and thrown) where the batch is used
  return { offset, at, done };
}

/** The batch from row `offset` of the pass's file, in kernel memory; starts reading the next one. */
async function fileBatch(p: Pass, offset: number, rows: number): Promise<number> {
  const file = p.file!;
  let batch = p.ahead;
  p.ahead = undefined;
  if (batch && batch.offset !== offset) {
    await batch.done.catch(() => undefined);
    batch = undefined;
  }
  batch ??= readRows(p, offset, rows, p.xAt[0]!);
  await batch.done;
  const next = offset + rows;
  if (next < file.rows)
    p.ahead = readRows(p, next, Math.min(p.slotRows, file.rows - next), batch.at === p.xAt[0] ? p.xAt[1]! : p.xAt[0]!);
  return batch.at;
}

async function infer(m: InferRequest): Promise<InferenceReply> {
  const p = passes.get(m.pid);
  if (!p?.entry) return { type: 'failed', pid: m.pid, id: m.id, kind: 'error', message: 'the model was released' };
  const values = m.rows * p.features;
  const dims = [m.rows, ...p.sampleShape];
  let xAt = p.xAt[0]!;
  if (p.file) xAt = await fileBatch(p, m.offset, m.rows);
  else new Float32Array(p.memory.buffer, xAt, values).set(new Float32Array(p.slots, p.offsets[m.slot]!.x, values));
  const input = { [p.inputName]: new ort.Tensor('float32', new Float32Array(p.memory.buffer, xAt, values), dims) };
  const y = new Float32Array(p.memory.buffer, p.yAt, values);
  if (p.sameShapeOutput) await p.entry.session.run(input, { [p.outputName]: new ort.Tensor('float32', y, dims) });
  else {
    const out = (await p.entry.session.run(input, [p.outputName]))[p.outputName]!;
    if (out.type !== 'float32' || out.data.length !== values) {
      return {
        type: 'failed',
        pid: m.pid,
        id: m.id,
        kind: 'not-autoencoder',
        message: 'not an autoencoder',
        outputName: p.outputName,
        outDims: [...out.dims],
        outType: out.type,
        inDims: dims,
      };
    }
    y.set(out.data as Float32Array);
  }
  const nonFinite = p.kernel.batch(xAt, p.yAt, p.eAt, m.rows, p.features);
  new Float64Array(p.slots, p.offsets[m.slot]!.errors, m.rows).set(new Float64Array(p.memory.buffer, p.eAt, m.rows));
  return { type: 'inferred', pid: m.pid, id: m.id, nonFinite };
}

async function detach(m: DetachRequest): Promise<void> {
  const p = passes.get(m.pid);
  passes.delete(m.pid);
  if (!p) return;
  await p.ahead?.done.catch(() => undefined);
  await p.fh?.close();
  spare = { bytes: p.bytes, memory: p.memory };
}

function finish(m: FinishRequest): InferenceReply {
  const p = passes.get(m.pid);
  if (!p?.entry) return { type: 'failed', pid: m.pid, id: m.id, kind: 'error', message: 'the pass is not open' };
  const copy = (offset: number) => new Float64Array(p.memory.buffer, offset, p.features).slice();
  const counters = new Float64Array(p.memory.buffer, p.at.counters, 2);
  const sums: FeatureErrorSums = {
    rows: counters[0]!,
    sum: copy(p.at.sum),
    blockSum: copy(p.at.blockSum),
    blockSumSq: copy(p.at.blockSumSq),
    blocks: counters[1]!,
    blockRows: p.blockRows,
  };
  return { type: 'summed', pid: m.pid, id: m.id, sums };
}

async function handle(m: InferenceRequest): Promise<InferenceReply | void> {
  switch (m.type) {
    case 'open':
      return open(m);
    case 'release':
      return release(m);
    case 'attach':
      return attach(m);
    case 'infer':
      return infer(m);
    case 'finish':
      return finish(m);
    case 'detach':
      return detach(m);
  }
}

async function processOne(m: InferenceRequest): Promise<void> {
  try {
    const out = await handle(m);
    if (out) parentPort.postMessage(out);
  } catch (error) {
    const failed: FailedReply = {
      type: 'failed',
      ...('mid' in m ? { mid: m.mid } : {}),
      ...('pid' in m ? { pid: m.pid } : {}),
      ...('id' in m ? { id: m.id } : {}),
      kind: 'error',
      message: String((error as Error | undefined)?.message ?? error),
    };
    parentPort.postMessage(failed);
  }
}

// Messages are handled one at a time, in the order they were sent. Between batches the next
// message is taken straight off the port when one is waiting, instead of letting the thread go
// idle until the event loop delivers it: waking a sleeping thread costs about a millisecond a
// batch on a virtual machine, several percent of the inference time.
const inbox: InferenceRequest[] = [];
let running = false;

async function run(): Promise<void> {
  running = true;
  for (;;) {
    const m = inbox.shift() ?? (receiveMessageOnPort(parentPort)?.message as InferenceRequest | undefined);
    if (m === undefined) break;
    await processOne(m);
  }
  running = false;
}

parentPort.on('message', (m: InferenceRequest) => {
  inbox.push(m);
  if (!running) void run();
});
