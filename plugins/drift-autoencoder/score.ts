import { numericColumns, type Chunk, type DataSchema, type Dataset } from '../data/dataset';
import { DataShapeError, EmptyDataError } from '../errors';
import type { AutoencoderConfig } from './config';
import { createErrorKernel, type FeatureErrorSums } from './error-kernel';
import type { InferenceModel } from './inference-thread';

/**
 * Streams a dataset through an autoencoder: while the inference thread reconstructs a batch, this
 * thread reads the next ones and computes the errors of the ones before, with at most three
 * batches in flight. Row errors reach `onErrors` in row order, in an array that is reused after
 * the call.
 */

/** Which numeric columns feed the model, as indices into a chunk's numeric row. */
export interface FeatureSelection {
  names: string[];
  /** Indices into the numeric columns, or undefined for all of them in order. */
  indices?: number[];
  featureShape: number[];
}

export function selectFeatures(schema: DataSchema, columns: string[] | undefined, path: string): FeatureSelection {
  const numeric = numericColumns(schema).map((c) => c.name);
  if (!columns) return { names: numeric, featureShape: schema.featureShape };
  const indices = columns.map((name) => {
    const i = numeric.indexOf(name);
    if (i < 0) throw new DataShapeError(`${path}: column "${name}" is not a numeric column; numeric columns are ${numeric.join(', ')}`);
    return i;
  });
  return { names: columns, indices, featureShape: [columns.length] };
}

/** The model's input for one chunk: the chunk's own Float32Array when nothing is to be picked or converted. */
function modelInput(chunk: Chunk, sel: FeatureSelection, take: (values: number) => Float32Array): Float32Array {
  if (!sel.indices && chunk.numeric instanceof Float32Array) return chunk.numeric;
  const idx = sel.indices;
  const out = take(chunk.rows * (idx ? idx.length : chunk.width));
  if (!idx) out.set(chunk.numeric);
  else for (let i = 0, o = 0; i < chunk.rows; i++) for (let k = 0; k < idx.length; k++) out[o++] = chunk.numeric[i * chunk.width + idx[k]!]!;
  return out;
}

/** Takes an array of exactly `n` values from `pool`, or makes one. */
function take<T extends { length: number }>(pool: T[], n: number, make: (n: number) => T): T {
  const i = pool.findIndex((a) => a.length === n);
  return i >= 0 ? pool.splice(i, 1)[0]! : make(n);
}

export interface ScoreResult {
  rows: number;
  /** Rows whose error is not finite (NaN or Inf in the input); left out of every statistic. */
  skipped: number;
  features: FeatureErrorSums;
}

export async function scoreDataset(
  data: Dataset,
  model: InferenceModel,
  sel: FeatureSelection,
  invScale: Float32Array,
  config: AutoencoderConfig,
  onErrors: (errors: Float64Array, offset: number) => void,
  progress: (rows: number) => void = () => undefined,
): Promise<ScoreResult> {
  const kernel = createErrorKernel(model.features, invScale);
  const inFlight: Promise<void>[] = [];
  // Arrays come back from the inference thread with each reconstruction; the reader and the
  // model take them again, so no batch allocates once the pipeline is full.
  const floats: Float32Array[] = [];
  const takeFloats = (n: number) => take(floats, n, (k) => new Float32Array(k));
  let rows = 0;
  let skipped = 0;
  try {
    const schema = await data.schema();
    for await (const chunk of data.chunks({ schema, chunkRows: config.batchRows, float32Buffer: takeFloats })) {
      const x = modelInput(chunk, sel, takeFloats);
      if (x !== chunk.numeric && chunk.numeric instanceof Float32Array) floats.push(chunk.numeric);
      const offset = chunk.offset;
      const n = chunk.rows;
      const previous = inFlight.at(-1);
      const done = model.reconstruct(x, n, model.sameShapeOutput ? takeFloats(x.length) : undefined).then(async (r) => {
        await previous; // keep row order
        const e = kernel.rowErrors(r.x, r.y, n);
        skipped += e.nonFinite;
        onErrors(e.errors, offset);
        floats.push(r.x, r.y);
      });
      inFlight.push(done);
      rows += n;
      progress(rows);
      if (inFlight.length >= 3) await inFlight.shift();
    }
    await Promise.all(inFlight);
    if (rows === 0) throw new EmptyDataError(`${data.path} has no rows to score`);
    return { rows, skipped, features: kernel.finish() };
  } catch (err) {
    await Promise.allSettled(inFlight);
    throw err;
  }
}
