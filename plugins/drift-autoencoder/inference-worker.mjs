// The inference thread of drift-autoencoder (started by inference-thread.ts; plain JavaScript so
// that it runs under any loader). It holds ONNX sessions and runs batches through them, one
// message at a time, in order. onnxruntime-node runs a session synchronously on the thread that
// calls it, so inference here leaves the main thread free to read and score the next batches.
//
// Messages in:  open {mid, key, bytes, threads}  → opened {mid, signature} | failed {mid}
//               release {mid}
//               infer {mid, id, x, y?, dims, inputName, outputName}
//                                               → inferred {mid, id, x, y} | failed {mid, id}
// x and y are moved in and out (y, when given, receives the output; it must be the input's size).
// Failures carry {kind: 'load' | 'not-autoencoder' | 'error', message, ...details}.
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** Sessions kept open after their last user released them, for the next check of the same model. */
const IDLE_SESSIONS = 4;

/** key → { session, users }, in least-recently-used order. */
const sessions = new Map();
/** mid → the session entry a model handle holds. */
const models = new Map();

const plain = (m) => ({ ...m, ...(m.shape ? { shape: [...m.shape] } : {}) });

async function open(m) {
  let entry = sessions.get(m.key);
  if (entry) sessions.delete(m.key);
  else {
    try {
      entry = { session: await ort.InferenceSession.create(m.bytes, { intraOpNumThreads: m.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' }), users: 0 };
    } catch (error) {
      return { type: 'failed', mid: m.mid, kind: 'load', message: error.message, bytes: m.bytes.byteLength };
    }
  }
  sessions.set(m.key, entry);
  entry.users++;
  models.set(m.mid, entry);
  const s = entry.session;
  return {
    type: 'opened',
    mid: m.mid,
    signature: { inputNames: [...s.inputNames], outputNames: [...s.outputNames], inputMetadata: s.inputMetadata.map(plain), outputMetadata: s.outputMetadata.map(plain) },
  };
}

async function release(m) {
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

async function infer(m) {
  const entry = models.get(m.mid);
  if (!entry) return { type: 'failed', mid: m.mid, id: m.id, kind: 'error', message: 'the model was released' };
  const input = { [m.inputName]: new ort.Tensor('float32', m.x, m.dims) };
  let y = m.y;
  if (y) await entry.session.run(input, { [m.outputName]: new ort.Tensor('float32', y, m.dims) });
  else {
    const out = (await entry.session.run(input, [m.outputName]))[m.outputName];
    if (out.type !== 'float32' || out.data.length !== m.x.length) {
      return { type: 'failed', mid: m.mid, id: m.id, kind: 'not-autoencoder', message: 'not an autoencoder', outputName: m.outputName, outDims: [...out.dims], outType: out.type, inDims: m.dims };
    }
    y = Float32Array.from(out.data); // ORT's own buffer may not be movable
  }
  return { reply: { type: 'inferred', mid: m.mid, id: m.id, x: m.x, y }, transfer: [m.x.buffer, y.buffer] };
}

async function handle(m) {
  if (m.type === 'open') return open(m);
  if (m.type === 'release') return release(m);
  if (m.type === 'infer') return infer(m);
  return undefined;
}

let queue = Promise.resolve();
parentPort.on('message', (m) => {
  queue = queue.then(async () => {
    try {
      const out = await handle(m);
      if (out?.reply) parentPort.postMessage(out.reply, out.transfer);
      else if (out) parentPort.postMessage(out);
    } catch (error) {
      parentPort.postMessage({ type: 'failed', mid: m.mid, id: m.id, kind: 'error', message: String(error?.message ?? error) });
    }
  });
});
