import { strict as assert } from 'node:assert';
import { referenceErrorKernel } from '../../lib/onnx/error-kernel-reference.js';
import { BLOCK_ROWS, errorKernelBytes, layout, type ErrorKernel } from '../../lib/onnx/error-wasm.js';
import { wasm, type WasmMemory } from '../../lib/onnx/wasm-api.js';

/** A kernel's memory after two batches of `n` rows of `features` values, with a NaN in row 5 when there is one. */
async function runKernel(
  make: (memory: WasmMemory) => Promise<ErrorKernel>,
  features: number,
  n: number,
): Promise<{ nonFinite: number[]; memory: Uint8Array; x: Float32Array; y: Float32Array; inv: Float32Array }> {
  const memory = new wasm.Memory({ initial: 64 });
  const kernel = await make(memory);
  const at = layout(features);
  let seed = features * 1000 + n;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 4 - 2;
  const fill = (view: Float32Array, value: () => number) => view.forEach((_, i) => (view[i] = value()));
  const inv = new Float32Array(memory.buffer, at.invScale, features);
  fill(inv, () => random() + 3);
  const xAt = at.dataStart;
  const yAt = xAt + n * features * 4;
  const eAt = yAt + n * features * 4;
  const x = new Float32Array(memory.buffer, xAt, n * features);
  const y = new Float32Array(memory.buffer, yAt, n * features);
  fill(x, random);
  fill(y, random);
  if (n > 5) x[5 * features + Math.min(1, features - 1)] = Number.NaN;
  const nonFinite = [kernel.batch(xAt, yAt, eAt, n, features), kernel.batch(xAt, yAt, eAt, n, features)];
  return { nonFinite, memory: new Uint8Array(memory.buffer.slice(0, eAt + n * 8)), x, y, inv };
}

const simd = async (memory: WasmMemory) =>
  new wasm.Instance(new wasm.Module(await errorKernelBytes()), { env: { memory } }).exports as ErrorKernel;
const reference = async (memory: WasmMemory) => referenceErrorKernel(memory);

describe('the reconstruction-error kernel', () => {
  it('assembles from its WebAssembly text into a module this Node validates', async () => {
    assert.ok(wasm.validate(await errorKernelBytes()));
  });

  it('gives the same bits as its TypeScript reference, for every remainder of features by 4 and 8 and partial blocks', async () => {
    for (const features of [1, 2, 3, 4, 5, 7, 8, 12, 13, 64, 65])
      for (const n of [1, BLOCK_ROWS, 37]) {
        const a = await runKernel(simd, features, n);
        const b = await runKernel(reference, features, n);
        assert.deepEqual(a.nonFinite, b.nonFinite, `${features} features, ${n} rows`);
        const differ = a.memory.findIndex((v, i) => v !== b.memory[i]);
        assert.equal(differ, -1, `${features} features, ${n} rows: first differing byte ${differ}`);
      }
  });

  it('computes each row error as the mean of ((x − y) · invScale)², NaN for a row that is not finite', async () => {
    const features = 13;
    const n = 37;
    const run = await runKernel(reference, features, n);
    const at = layout(features);
    const errors = new Float64Array(run.memory.buffer, at.dataStart + 2 * n * features * 4, n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < features; j++) {
        const r = (run.x[i * features + j]! - run.y[i * features + j]!) * run.inv[j]!;
        sum += r * r;
      }
      if (i === 5) assert.ok(Number.isNaN(errors[i]), 'the row with a NaN');
      else assert.ok(Math.abs(errors[i]! - sum / features) <= 1e-6 * (sum / features), `row ${i}`);
    }
    assert.deepEqual(run.nonFinite, [1, 1]);
    // Counters: rows of finite blocks, twice (two batches); the block holding row 5 is left out.
    const counters = new Float64Array(run.memory.buffer, at.counters, 2);
    assert.equal(counters[0], 2 * (n - BLOCK_ROWS));
    assert.equal(counters[1], 2);
  });
});
