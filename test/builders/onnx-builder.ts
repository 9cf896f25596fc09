import randu from '@stdlib/random-base-randu';
import { encodeGraph, type GraphNode } from './onnx-graph.js';

/**
 * Dense ONNX models of any shape, without Python: MatMul/Add layers with ReLU between them and
 * random Glorot-scaled weights. For the benchmark and for tests that need a model of a given
 * shape; the reference trainer image makes the real, trained ones.
 */
export interface DenseModelOptions {
  /** Layer widths from input to output, e.g. [64, 32, 16, 32, 64]. */
  widths: number[];
  seed?: number;
  inputName?: string;
  outputName?: string;
  /** A fixed batch size instead of a symbolic `batch` dimension. */
  batch?: number;
}

export function buildDenseModel(opts: DenseModelOptions): Uint8Array {
  const rand = randu.factory({ seed: opts.seed ?? 7 });
  const inputName = opts.inputName ?? 'input';
  const outputName = opts.outputName ?? 'reconstruction';
  const nodes: GraphNode[] = [];
  const initializers: { name: string; dims: number[]; values: Float32Array }[] = [];
  const layers = opts.widths.length - 1;
  let current = inputName;
  for (let l = 0; l < layers; l++) {
    const fanIn = opts.widths[l]!;
    const fanOut = opts.widths[l + 1]!;
    const scale = Math.sqrt(6 / (fanIn + fanOut));
    initializers.push({
      name: `w${l}`,
      dims: [fanIn, fanOut],
      values: Float32Array.from({ length: fanIn * fanOut }, () => (rand() * 2 - 1) * scale),
    });
    initializers.push({ name: `b${l}`, dims: [fanOut], values: new Float32Array(fanOut) });
    const last = l === layers - 1;
    nodes.push({ op: 'MatMul', inputs: [current, `w${l}`], outputs: [`mm${l}`] });
    nodes.push({ op: 'Add', inputs: [`mm${l}`, `b${l}`], outputs: [last ? outputName : `z${l}`] });
    if (!last) nodes.push({ op: 'Relu', inputs: [`z${l}`], outputs: [`h${l}`] });
    current = last ? outputName : `h${l}`;
  }
  const batch = opts.batch ?? 'batch';
  return encodeGraph({
    name: 'dense_autoencoder',
    nodes,
    initializers,
    inputs: [{ name: inputName, dims: [batch, opts.widths[0]!] }],
    outputs: [{ name: outputName, dims: [batch, opts.widths.at(-1)!] }],
  });
}

/**
 * A linear classifier with a softmax: probabilities = softmax(x · weights + bias), with
 * `weights` as rows of `features` values per class ([classes][features]). Enough for a
 * nearest-centroid model: weights = class means, bias = −|mean|²/2.
 */
export function buildLinearClassifier(opts: {
  weights: number[][];
  bias: number[];
  inputName?: string;
  outputName?: string;
}): Uint8Array {
  const classes = opts.weights.length;
  const features = opts.weights[0]!.length;
  const w = new Float32Array(features * classes);
  for (let c = 0; c < classes; c++) for (let f = 0; f < features; f++) w[f * classes + c] = opts.weights[c]![f]!;
  const inputName = opts.inputName ?? 'input';
  const outputName = opts.outputName ?? 'probabilities';
  return encodeGraph({
    name: 'linear_classifier',
    nodes: [
      { op: 'MatMul', inputs: [inputName, 'w'], outputs: ['mm'] },
      { op: 'Add', inputs: ['mm', 'b'], outputs: ['logits'] },
      { op: 'Softmax', inputs: ['logits'], outputs: [outputName], attributes: { axis: 1 } },
    ],
    initializers: [
      { name: 'w', dims: [features, classes], values: w },
      { name: 'b', dims: [classes], values: Float32Array.from(opts.bias) },
    ],
    inputs: [{ name: inputName, dims: ['batch', features] }],
    outputs: [{ name: outputName, dims: ['batch', classes] }],
  });
}
