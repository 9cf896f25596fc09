import { numericColumns, type Chunk, type DataSchema, type Dataset } from '../data/dataset';
import { DataShapeError, EmptyDataError } from '../errors';
import type { AutoencoderConfig } from './config';
import { createErrorKernel, type FeatureErrorSums } from './error-kernel';
import { reconstruct, type AutoencoderModel } from './model';

/**
 * Streams a dataset through an autoencoder: chunks are read ahead, inferred on the main thread,
 * and their errors computed on a worker thread, with at most three batches in flight. Row errors
 * reach `onErrors` in row order.
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
function modelInput(chunk: Chunk, sel: FeatureSelection): Float32Array {
  if (!sel.indices && chunk.numeric instanceof Float32Array) return chunk.numeric;
  if (!sel.indices) return Float32Array.from(chunk.numeric);
  const idx = sel.indices;
  const out = new Float32Array(chunk.rows * idx.length);
  for (let i = 0; i < chunk.rows; i++) for (let k = 0; k < idx.length; k++) out[i * idx.length + k] = chunk.numeric[i * chunk.width + idx[k]!]!;
  return out;
}

export interface ScoreResult {
  rows: number;
  /** Rows whose error is not finite (NaN or Inf in the input); left out of every statistic. */
  skipped: number;
  features: FeatureErrorSums;
}

export async function scoreDataset(
  data: Dataset,
  model: AutoencoderModel,
  sel: FeatureSelection,
  invScale: Float32Array,
  config: AutoencoderConfig,
  onErrors: (errors: Float64Array, offset: number) => void,
  progress: (rows: number) => void = () => undefined,
): Promise<ScoreResult> {
  const kernel = createErrorKernel(model.features, invScale);
  const inFlight: Promise<void>[] = [];
  let rows = 0;
  let skipped = 0;
  try {
    const schema = await data.schema();
    // Reconstruction buffers come back from the worker and are reused, when ORT can write into them.
    const spare: Float32Array[] = [];
    const preallocate = model.sameShapeOutput;
    for await (const chunk of data.chunks({ schema, chunkRows: config.batchRows })) {
      const x = modelInput(chunk, sel);
      const buffer = preallocate ? (spare.find((b) => b.length === x.length) ?? new Float32Array(x.length)) : undefined;
      if (buffer) spare.splice(spare.indexOf(buffer), 1);
      const y = await reconstruct(model, x, chunk.rows, buffer);
      const offset = chunk.offset;
      const previous = inFlight.at(-1) ?? Promise.resolve();
      const done = kernel.rowErrors(x, y, chunk.rows).then(async ({ errors, y: back }) => {
        if (preallocate) spare.push(back);
        await previous; // keep row order
        for (let i = 0; i < errors.length; i++) if (Number.isNaN(errors[i]!)) skipped++;
        onErrors(errors, offset);
      });
      inFlight.push(done);
      rows += chunk.rows;
      progress(rows);
      if (inFlight.length >= 3) await inFlight.shift();
    }
    await Promise.all(inFlight);
    if (rows === 0) throw new EmptyDataError(`${data.path} has no rows to score`);
    return { rows, skipped, features: await kernel.finish() };
  } catch (err) {
    await Promise.allSettled(inFlight);
    kernel.close();
    throw err;
  }
}
