import * as ort from 'onnxruntime-node';
import type { Scorer } from '../../common/labeling.js';
import { openAutoencoder, reconstruct, resolveSampleShape, type AutoencoderModel } from '../../lib/onnx/model.js';
import { ModelLoadError } from '../../lib/onnx/errors.js';

/**
 * Scores rows of the pool: higher means more informative. A classifier's probabilities give
 * least confidence, margin or entropy; an autoencoder's reconstruction error says how unlike
 * the training data a sample is (Scanflow's criterion); `random` is the baseline.
 */
export interface PoolScorer {
  /** One score per row of `x` (rows × features, row-major). */
  score(x: Float32Array, rows: number): Promise<Float64Array>;
}

interface ClassifierModel {
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
  sampleShape: number[];
}

/** Sessions by model hash, shared by every session a worker serves (a thousand sessions, one model, one session). */
const sessions = new Map<string, Promise<ClassifierModel | AutoencoderModel>>();
const MAX_SESSIONS = 16;

function cached<T extends ClassifierModel | AutoencoderModel>(key: string, open: () => Promise<T>): Promise<T> {
  let hit = sessions.get(key);
  if (!hit) {
    if (sessions.size >= MAX_SESSIONS) {
      const [oldest] = sessions.keys();
      const evicted = sessions.get(oldest!)!;
      sessions.delete(oldest!);
      // Release once any run in flight on it is done: a later call opens its own.
      void evicted.then(
        (m) => setTimeout(() => void m.session.release().catch(() => undefined), 60_000),
        () => undefined,
      );
    }
    hit = open();
    sessions.set(key, hit);
    hit.catch(() => sessions.delete(key));
  }
  return hit as Promise<T>;
}

async function openClassifier(
  bytes: Uint8Array,
  featureShape: number[],
  scorer: { inputName?: string; outputName?: string },
): Promise<ClassifierModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new ModelLoadError(
      `the scorer's ONNX model could not be loaded (${bytes.byteLength} bytes; corrupt, truncated or not ONNX?): ${(err as Error).message}`,
    );
  }
  const inputName = scorer.inputName ?? session.inputNames[0]!;
  // Classifiers exported from scikit-learn or torch often have (label, probabilities): take the float tensor output.
  const outputName =
    scorer.outputName ??
    session.outputMetadata.find((m) => m.isTensor && m.type === 'float32' && m.shape.length === 2)?.name ??
    session.outputNames[0]!;
  if (!session.inputNames.includes(inputName))
    throw new ModelLoadError(`the scorer has no input "${inputName}"; its inputs are ${session.inputNames.join(', ')}`);
  if (!session.outputNames.includes(outputName))
    throw new ModelLoadError(
      `the scorer has no output "${outputName}"; its outputs are ${session.outputNames.join(', ')}`,
    );
  const meta = session.inputMetadata.find((m) => m.name === inputName);
  if (!meta?.isTensor || meta.type !== 'float32')
    throw new ModelLoadError(`scorer input "${inputName}" must be a float32 tensor`);
  return { session, inputName, outputName, sampleShape: resolveSampleShape(meta.shape, featureShape, inputName) };
}

/** Turns one row of class scores into probabilities: kept when it already is a distribution, softmaxed otherwise. */
function probabilities(row: Float32Array): Float64Array {
  let sum = 0;
  let negative = false;
  for (const v of row) {
    sum += v;
    if (v < 0) negative = true;
  }
  const p = new Float64Array(row.length);
  if (!negative && Math.abs(sum - 1) < 1e-3) {
    for (let i = 0; i < row.length; i++) p[i] = row[i]!;
    return p;
  }
  const max = Math.max(...row);
  let z = 0;
  for (let i = 0; i < row.length; i++) z += p[i] = Math.exp(row[i]! - max);
  for (let i = 0; i < row.length; i++) p[i]! /= z;
  return p;
}

/** Informativeness of one probability vector: each is 0 for a certain prediction and grows with doubt. */
export function informativeness(p: Float64Array, strategy: 'uncertainty' | 'margin' | 'entropy'): number {
  if (strategy === 'entropy') {
    let h = 0;
    for (const v of p) if (v > 0) h -= v * Math.log(v);
    return h;
  }
  let first = 0;
  let second = 0;
  for (const v of p) {
    if (v > first) [first, second] = [v, first];
    else if (v > second) second = v;
  }
  return strategy === 'uncertainty' ? 1 - first : 1 - (first - second);
}

/** A small deterministic generator (mulberry32): the random baseline picks the same samples on a replayed round. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Opens the scorer for rows of `featureShape`. `model` loads the ONNX bytes; it is called only
 * when no session for that model (by hash) is open yet.
 */
export async function openPoolScorer(
  scorer: Scorer,
  model: () => Promise<Uint8Array>,
  featureShape: number[],
  round: number,
): Promise<PoolScorer> {
  if (scorer.kind === 'random') {
    const next = seeded(scorer.seed * 1_000_003 + round);
    return { score: async (_x, rows) => Float64Array.from({ length: rows }, next) };
  }
  if (scorer.kind === 'autoencoder') {
    const ae = await cached(
      `ae:${scorer.model.sha256}:${featureShape.join('x')}:${scorer.inputName ?? ''}:${scorer.outputName ?? ''}`,
      async () =>
        openAutoencoder(await model(), featureShape, { inputName: scorer.inputName, outputName: scorer.outputName }),
    );
    return {
      async score(x, rows) {
        const y = await reconstruct(ae, x, rows);
        const out = new Float64Array(rows);
        const f = ae.features;
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let j = i * f; j < (i + 1) * f; j++) s += (x[j]! - y[j]!) ** 2;
          out[i] = s / f;
        }
        return out;
      },
    };
  }
  const clf = await cached(
    `clf:${scorer.model.sha256}:${featureShape.join('x')}:${scorer.inputName ?? ''}:${scorer.outputName ?? ''}`,
    async () => openClassifier(await model(), featureShape, scorer),
  );
  return {
    async score(x, rows) {
      const input = new ort.Tensor('float32', x, [rows, ...clf.sampleShape]);
      const out = (await clf.session.run({ [clf.inputName]: input }, [clf.outputName]))[clf.outputName]!;
      if (out.type !== 'float32' || out.dims.length !== 2 || out.dims[0] !== rows) {
        throw new ModelLoadError(
          `the scorer's output "${clf.outputName}" has shape [${out.dims.join(', ')}] (${out.type}); a classifier scorer must output float32 class probabilities [rows, classes]`,
        );
      }
      const classes = Number(out.dims[1]);
      const data = out.data as Float32Array;
      const scores = new Float64Array(rows);
      for (let i = 0; i < rows; i++)
        scores[i] = informativeness(probabilities(data.subarray(i * classes, (i + 1) * classes)), scorer.strategy);
      return scores;
    },
  };
}
