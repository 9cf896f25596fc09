import * as ort from 'onnxruntime-node';
import { DataShapeError } from '../data/errors.js';
import { ModelLoadError } from './errors.js';

/** An ONNX autoencoder, opened with the dimensions of one sample resolved against the data. */
export interface AutoencoderModel {
  session: ort.InferenceSession;
  inputName: string;
  outputName: string;
  /** The model's declared input shape; strings are symbolic dimensions. */
  inputShape: readonly (number | string)[];
  /** Dimensions of one sample as fed to the model (the batch axis excluded). */
  sampleShape: number[];
  /** Values per sample. */
  features: number;
  /** The output is declared with the input's shape, so a reconstruction buffer can be handed to ORT. */
  sameShapeOutput: boolean;
  release(): Promise<void>;
}

export interface OpenModelOptions {
  inputName?: string;
  outputName?: string;
  threads?: number;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const show = (dims: readonly (number | string)[]) => `[${dims.join(', ')}]`;

/**
 * How one row of `featureShape` is fed to a model whose input is `[batch, ...modelSample]`:
 * as the model's own fixed dims when they hold as many values, or as the data's dims when the
 * model's are symbolic but of the same rank and agree where fixed. Anything else is an error
 * naming both shapes.
 */
export function resolveSampleShape(
  modelInput: readonly (number | string)[],
  featureShape: readonly number[],
  inputName: string,
): number[] {
  const sample = modelInput.slice(1);
  const features = product(featureShape);
  const mismatch = (why: string) =>
    new DataShapeError(
      `model input "${inputName}" has shape ${show(modelInput)} but the data's rows have shape ${show(featureShape)} ` +
        `(${features} values per row): ${why}`,
    );
  if (modelInput.length < 2) throw mismatch('the model input needs a batch axis and at least one feature axis');
  if (sample.every((d): d is number => typeof d === 'number' && d > 0)) {
    if (product(sample) !== features) throw mismatch(`the model takes ${product(sample)} values per sample`);
    return sample;
  }
  if (
    sample.length === featureShape.length &&
    sample.every((d, i) => typeof d !== 'number' || d <= 0 || d === featureShape[i])
  ) {
    return [...featureShape];
  }
  throw mismatch('the dimensions do not line up');
}

/** The input and output names and metadata of an ONNX session, as plain data (it crosses threads). */
export interface ModelSignature {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata: readonly ort.InferenceSession.ValueMetadata[];
  outputMetadata: readonly ort.InferenceSession.ValueMetadata[];
}

/** What an autoencoder is, resolved against the data: which input and output, and the shape of one sample. */
export type AutoencoderShape = Omit<AutoencoderModel, 'session' | 'release'>;

export const sessionOptions = (threads = 1): ort.InferenceSession.SessionOptions => ({
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});

/** The error for model bytes ONNX Runtime could not load. */
export const modelLoadError = (bytes: number, message: string) =>
  new ModelLoadError(
    `the ONNX model could not be loaded (${bytes} bytes; corrupt, truncated or not ONNX?): ${message}`,
  );

export function signatureOf(session: ort.InferenceSession): ModelSignature {
  const plain = (m: ort.InferenceSession.ValueMetadata) =>
    ({ ...m, ...('shape' in m ? { shape: [...m.shape] } : {}) }) as ort.InferenceSession.ValueMetadata;
  return {
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    inputMetadata: session.inputMetadata.map(plain),
    outputMetadata: session.outputMetadata.map(plain),
  };
}

/**
 * Checks that a model with this signature can reconstruct rows of `featureShape`: the chosen
 * input and output exist, the input is a float32 tensor whose shape fits the data. Throws a
 * ModelLoadError or DataShapeError naming the problem.
 */
export function describeAutoencoder(
  sig: ModelSignature,
  featureShape: readonly number[],
  opts: OpenModelOptions = {},
): AutoencoderShape {
  const inputName = opts.inputName ?? sig.inputNames[0];
  const outputName = opts.outputName ?? sig.outputNames[0];
  if (!inputName || !sig.inputNames.includes(inputName))
    throw new ModelLoadError(`the model has no input "${inputName}"; its inputs are ${sig.inputNames.join(', ')}`);
  if (!outputName || !sig.outputNames.includes(outputName))
    throw new ModelLoadError(`the model has no output "${outputName}"; its outputs are ${sig.outputNames.join(', ')}`);
  const meta = sig.inputMetadata.find((m) => m.name === inputName);
  if (!meta?.isTensor || meta.type !== 'float32') {
    throw new ModelLoadError(
      `model input "${inputName}" must be a float32 tensor${meta?.isTensor ? `, it is ${meta.type}` : ''}`,
    );
  }
  const inputShape = meta.shape;
  const sampleShape = resolveSampleShape(inputShape, featureShape, inputName);
  const out = sig.outputMetadata.find((m) => m.name === outputName);
  const sameShapeOutput =
    !!out?.isTensor &&
    out.type === 'float32' &&
    out.shape.length === inputShape.length &&
    out.shape.every((d, i) => i === 0 || d === inputShape[i] || (typeof d === 'number' && d === sampleShape[i - 1]));
  return { inputName, outputName, inputShape, sampleShape, features: product(sampleShape), sameShapeOutput };
}

/** Opens a model on this thread (inference-thread.ts opens one on the checker's inference thread). */
export async function openAutoencoder(
  model: Uint8Array,
  featureShape: readonly number[],
  opts: OpenModelOptions = {},
): Promise<AutoencoderModel> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, sessionOptions(opts.threads));
  } catch (err) {
    throw modelLoadError(model.byteLength, (err as Error).message);
  }
  try {
    return {
      ...describeAutoencoder(signatureOf(session), featureShape, opts),
      session,
      release: () => session.release(),
    };
  } catch (err) {
    await session.release();
    throw err;
  }
}

/** The error for a model whose output is not a reconstruction of its input. */
export const notAnAutoencoder = (
  outputName: string,
  outDims: readonly number[],
  outType: string,
  inDims: readonly number[],
) =>
  new ModelLoadError(
    `not an autoencoder: output "${outputName}" has shape ${show(outDims)} (${outType}) for input ${show(inDims)}; ` +
      'the reconstruction must have as many float32 values as the input',
  );

/**
 * Runs one batch; checks that the output has one value per input value (an autoencoder's shape).
 * With `into` (as many values as x), ONNX Runtime writes the reconstruction there instead of
 * allocating, so the caller can recycle buffers; this needs the output to have the input's shape.
 */
export async function reconstruct(
  model: AutoencoderModel,
  x: Float32Array,
  rows: number,
  into?: Float32Array,
): Promise<Float32Array> {
  const dims = [rows, ...model.sampleShape];
  const input = new ort.Tensor('float32', x, dims);
  if (into && into.length === x.length) {
    await model.session.run(
      { [model.inputName]: input },
      { [model.outputName]: new ort.Tensor('float32', into, dims) },
    );
    return into;
  }
  const out = (await model.session.run({ [model.inputName]: input }, [model.outputName]))[model.outputName]!;
  if (out.data.length !== x.length || out.type !== 'float32') {
    throw notAnAutoencoder(model.outputName, out.dims, out.type, input.dims);
  }
  return out.data as Float32Array;
}
