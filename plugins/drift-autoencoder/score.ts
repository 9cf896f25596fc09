import { numericColumns, type Chunk, type DataSchema, type Dataset } from '../../lib/data/dataset.js';
import { DataShapeError, EmptyDataError } from '../errors.js';
import type { AutoencoderConfig } from './config.js';
import { createBatchSlots } from '../../lib/onnx/batch-slots.js';
import type { FeatureErrorSums } from '../../lib/onnx/error-wasm.js';
import type { InferenceModel, RowFile } from '../../lib/onnx/inference-thread.js';

/**
 * Streams a dataset through an autoencoder: while the inference thread scores a batch, this
 * thread reads the next ones and hands on the errors of the ones before, with at most three
 * batches in flight. Batches are read straight into shared slots, so no batch is copied or
 * allocated here. Row errors reach `onErrors` in row order, in an array that is reused after the
 * call.
 */

/** Slots: three batches in flight and one being filled. */
const SLOTS = 4;
/** Bytes a batch may take on the inference thread (input, reconstruction and errors); wide rows get fewer rows per batch. */
const SLOT_BYTES = 16 * 1024 * 1024;

/** Which numeric columns feed the model, as indices into a chunk's numeric row. */
export interface FeatureSelection {
  names: string[];
  /** Indices into the numeric columns, or undefined for all of them in order. */
  indices?: number[];
  featureShape: number[];
}

export function selectFeatures(schema: DataSchema, columns: string[] | undefined, label: string): FeatureSelection {
  const numeric = numericColumns(schema).map((c) => c.name);
  if (!columns) return { names: numeric, featureShape: schema.featureShape };
  const all = schema.columns.map((c) => c.name);
  const absent = columns.filter((name) => !all.includes(name));
  if (absent.length)
    throw new DataShapeError(
      `${label}: column(s) ${absent.map((c) => `"${c}"`).join(', ')} missing; the model reads ${columns.join(', ')} and the file has ${all.join(', ')}`,
    );
  const indices = columns.map((name) => {
    const i = numeric.indexOf(name);
    if (i < 0)
      throw new DataShapeError(
        `${label}: column "${name}" holds text, not numbers (the model needs numbers); numeric columns are ${numeric.join(', ')}`,
      );
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
  else
    for (let i = 0, o = 0; i < chunk.rows; i++)
      for (let k = 0; k < idx.length; k++) out[o++] = chunk.numeric[i * chunk.width + idx[k]!]!;
  return out;
}

/**
 * A .npy of little-endian float32 rows fed to the model whole is read by the inference thread
 * itself, straight into its own memory and a batch ahead, so no batch is read or copied on this
 * thread at all. (Its schema has checked the file's length against the header.)
 */
function rawFloat32Rows(data: Dataset, schema: DataSchema, sel: FeatureSelection): RowFile | undefined {
  if (
    schema.format !== 'npy' ||
    schema.dtype !== '<f4' ||
    sel.indices ||
    schema.rows === undefined ||
    schema.dataOffset === undefined
  )
    return undefined;
  const width = schema.featureShape.reduce((a, b) => a * b, 1);
  return { path: data.path, dataOffset: schema.dataOffset, rowBytes: width * 4, rows: schema.rows };
}

export interface ScoreResult {
  rows: number;
  /** Rows whose error is not finite (NaN or Inf in the input); left out of every statistic. */
  skipped: number;
  features: FeatureErrorSums;
}

export async function scoreDataset(
  data: Dataset,
  schema: DataSchema,
  model: InferenceModel,
  sel: FeatureSelection,
  invScale: Float32Array,
  config: AutoencoderConfig,
  onErrors: (errors: Float64Array, offset: number) => void,
  progress: (rows: number) => void = () => undefined,
): Promise<ScoreResult> {
  const features = model.features;
  const slotRows = Math.max(1, Math.min(config.batchRows, Math.floor(SLOT_BYTES / (features * 8 + 8))));
  const file = rawFloat32Rows(data, schema, sel);
  // A file pass's inputs never pass through the slots: they carry its row errors only.
  const slots = createBatchSlots(file ? 0 : features, SLOTS, slotRows);
  const pass = model.attach(slots, invScale, file);
  const free = Array.from({ length: SLOTS }, (_, s) => SLOTS - 1 - s);
  const inFlight: Promise<void>[] = [];
  let rows = 0;
  let skipped = 0;
  const takeSlot = async () => {
    while (free.length === 0) {
      const oldest = inFlight.shift();
      if (!oldest) throw new Error('drift-autoencoder: no batch slot is free and none is in flight');
      await oldest;
    }
    return free.pop()!;
  };
  /** Scores the batch in `slot` (rows `offset` to `offset + n`); waits while three are in flight. */
  const submit = async (slot: number, n: number, offset: number) => {
    const previous = inFlight.at(-1);
    const done = pass.reconstruct(slot, n, offset).then(async (nonFinite) => {
      await previous; // keep row order
      skipped += nonFinite;
      onErrors(slots.errors(slot, n), offset);
      free.push(slot);
    });
    inFlight.push(done);
    rows += n;
    progress(rows);
    if (inFlight.length >= 3) await inFlight.shift();
  };
  try {
    if (file) {
      for (let offset = 0; offset < file.rows; offset += slotRows)
        await submit(await takeSlot(), Math.min(slotRows, file.rows - offset), offset);
    } else {
      for await (const chunk of data.chunks({ schema, chunkRows: slotRows })) {
        const slot = await takeSlot();
        const input = slots.input(slot);
        // Picked or converted values are written into the slot; a chunk that is the model's input as it is, copied there.
        const x = modelInput(chunk, sel, (n) => input.subarray(0, n));
        if (x === chunk.numeric) input.set(x);
        await submit(slot, chunk.rows, chunk.offset);
      }
    }
    // Asked before the last batches are done, so that the inference thread answers straight after
    // them instead of going idle and being woken for it.
    const sums = pass.finish();
    sums.catch(() => undefined);
    await Promise.all(inFlight);
    if (rows === 0) throw new EmptyDataError(`${data.label} has no rows to score`);
    return { rows, skipped, features: await sums };
  } catch (err) {
    await Promise.allSettled(inFlight);
    throw err;
  } finally {
    pass.close();
    slots.release();
  }
}
