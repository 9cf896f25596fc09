import { strict as assert } from 'node:assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quietContext } from '../../plugins/api.js';
import { openDataset } from '../../lib/data/open-dataset.js';
import { DataFormatError, DataShapeError, EmptyDataError, ModelLoadError } from '../../plugins/errors.js';
import { gaussian } from '../builders/data-tools.js';
import { fitPlugin } from '../../plugins/runner.js';
import { exportedDatasets, trainAutoencoder } from '../builders/fixtures.js';
import { writeNpy } from '../builders/npy-writer.js';
import { buildDenseModel } from '../builders/onnx-builder.js';
import { tempFolder } from '../helpers/temp.js';
import { openAutoencoder, reconstruct } from '../../lib/onnx/model.js';
import { driftAutoencoder, type AutoencoderState } from '../../plugins/drift-autoencoder/plugin.js';
import { scoreDataset, selectFeatures } from '../../plugins/drift-autoencoder/score.js';
import { BLOCK_ROWS } from '../../lib/onnx/error-wasm.js';
import { openInferenceModel } from '../../lib/onnx/inference-thread.js';

describe('the drift-autoencoder checker', () => {
  const tmp = tempFolder('ae');
  const F = 16;
  let model = '';
  let reference = '';

  /** Rows of N(0, 1) features, with `edit` applied to each row. */
  const rows = async (name: string, n: number, seed: number, edit?: (row: Float32Array, i: number) => void) => {
    const path = join(tmp.dir(), name);
    const g = gaussian(seed);
    await writeNpy(path, n, [F], (block, first, count) => {
      for (let i = 0; i < count; i++) {
        const row = block.subarray(i * F, (i + 1) * F) as Float32Array;
        for (let j = 0; j < F; j++) row[j] = g();
        edit?.(row, first + i);
      }
    });
    return path;
  };
  const config = (extra: Record<string, unknown> = {}) => driftAutoencoder.configSchema.parse({ model, ...extra });
  let state: AutoencoderState;

  before(async () => {
    model = join(tmp.dir(), 'dense.onnx');
    await writeFile(model, buildDenseModel({ widths: [F, 8, 4, 8, F] }));
    reference = await rows('reference.npy', 2000, 1);
    state = await driftAutoencoder.fit!(await openDataset(reference), config(), quietContext());
  });

  it('records the reference error distribution at fit: quantiles, threshold and a sample for KS', () => {
    const q = state.reference.quantiles;
    assert.ok(q.p50! < q.p90! && q.p90! < q.p99! && q.p99! <= q.max!);
    assert.equal(state.reference.errors.length, 2000);
    assert.equal(state.reference.thresholdRank, 20);
    assert.equal(state.featureNames.length, F);
  });

  it('does not alarm on fresh rows from the reference distribution', async () => {
    const report = await driftAutoencoder.check(
      await openDataset(await rows('iid.npy', 1500, 2)),
      state,
      config(),
      quietContext(),
    );
    assert.equal(report.alarm, false, `p = ${report.pValue}`);
    assert.ok(report.score <= report.threshold);
  });

  it('alarms on a drifted batch, names the drifted feature, and lists the most anomalous rows first', async () => {
    const drifted = await rows('drift.npy', 1500, 3, (row, i) => {
      row[5]! += 4;
      if (i === 77 || i === 1234) row.fill(30);
    });
    const report = await driftAutoencoder.check(await openDataset(drifted), state, config(), quietContext());
    assert.equal(report.alarm, true);
    assert.ok(report.pValue! < 0.01 && report.score > report.threshold);
    assert.equal(report.perFeature![0]!.name, 'f5');
    assert.equal(report.perFeature![0]!.alarm, true);
    const ratios = report.details.featureErrorRatio as number[];
    assert.equal(ratios.length, F);
    assert.equal(ratios.indexOf(Math.max(...ratios)), 5);
    const top = report.details.topAnomalies as { index: number }[];
    assert.deepEqual(
      top
        .slice(0, 2)
        .map((t) => t.index)
        .sort((a, b) => a - b),
      [77, 1234],
    );
    assert.ok((report.details.exceedanceShare as number) > 0.05);
  });

  it('leaves rows with NaN or Inf out of the statistics, and calls a skipped share above its bound a data-quality alarm', async () => {
    const holes = await rows('nan.npy', 1000, 4, (row, i) => {
      if (i % 100 === 0) row[3] = Number.NaN;
      if (i === 5) row[0] = Number.POSITIVE_INFINITY;
    });
    const report = await driftAutoencoder.check(await openDataset(holes), state, config(), quietContext());
    assert.equal(report.details.skippedRows, 11);
    assert.equal(report.alarm, true, '1.1% of the rows skipped, above the 1% bound, where the reference had none');
    assert.equal((report.details.dataQuality as { alarm: boolean }).alarm, true);
    assert.ok(report.perFeature!.every((f) => Number.isFinite(f.score)));
    const tolerant = await driftAutoencoder.check(
      await openDataset(holes),
      state,
      config({ maxSkippedShare: 0.05 }),
      quietContext(),
    );
    assert.equal(tolerant.alarm, false);
    const third = await rows('third.npy', 300, 7, (row, i) => {
      if (i % 3 === 0) row[1] = Number.NaN;
    });
    const thirdReport = await driftAutoencoder.check(
      await openDataset(third),
      state,
      config({ maxSkippedShare: 0.05 }),
      quietContext(),
    );
    assert.equal(thirdReport.alarm, true, 'a third of the rows skipped is never a quiet "no alarm"');
  });

  it('answers insufficient-data for a batch of 5 rows, naming the minimum', async () => {
    const report = await driftAutoencoder.check(
      await openDataset(await rows('five.npy', 5, 8)),
      state,
      config(),
      quietContext(),
    );
    assert.equal(report.status, 'insufficient-data');
    assert.match(
      String(report.details.insufficientData),
      /the batch has 5 scored rows; drift-autoencoder needs at least 20/,
    );
  });

  it('computes the same row errors and per-feature sums as plain arithmetic on the reconstruction, with either kernel', async () => {
    // 23 features: the kernel's eight-wide and four-wide paths and three features alone; 700 rows
    // in batches of 300: partial batches and partial blocks; a NaN row and an Inf row drop their blocks.
    const W = 23;
    const wide = join(tmp.dir(), 'odd.onnx');
    const bytes = buildDenseModel({ widths: [W, 6, W] });
    await writeFile(wide, bytes);
    const g = gaussian(21);
    const path = join(tmp.dir(), 'odd.npy');
    const values = new Float32Array(700 * W).map(() => g() * 3);
    values[40 * W + 2] = Number.NaN;
    values[333 * W + 16] = Number.POSITIVE_INFINITY;
    await writeNpy(path, 700, [W], (block, first, count) => block.set(values.subarray(first * W, (first + count) * W)));
    const invScale = new Float32Array(W).map((_, j) => 0.5 + j / 10);
    const cfg = driftAutoencoder.configSchema.parse({ model: wide, batchRows: 300 });

    // Scored on the inference thread with the WebAssembly kernel, and again with its TypeScript reference.
    const scoreWith = async (kernel: 'wasm' | 'reference') => {
      const data = await openDataset(path);
      const model = await openInferenceModel(bytes, `odd-test-${kernel}`, [W], { kernel });
      const errors = new Float64Array(700);
      try {
        const schema = await data.schema();
        const result = await scoreDataset(
          data,
          schema,
          model,
          selectFeatures(schema, undefined, path),
          invScale,
          cfg,
          (e, offset) => errors.set(e, offset),
        );
        return { got: errors, scored: result };
      } finally {
        model.release();
      }
    };
    const { got, scored } = await scoreWith('wasm');
    const reference = await scoreWith('reference');
    assert.deepEqual(reference.got, got, 'the reference kernel gives the same row errors');
    assert.deepEqual(reference.scored.features, scored.features, 'and the same per-feature sums');

    // The same on this thread: ORT's reconstruction, then r = (x − y) · invScale in doubles (the
    // kernel squares and sums in single precision, so they agree to a few 1e-7).
    const plain = await openAutoencoder(bytes, [W]);
    const y = await reconstruct(plain, values, 700);
    await plain.release();
    const want = new Float64Array(700);
    const sum = new Float64Array(W);
    let summed = 0;
    for (let start = 0; start < 700; start += 300) {
      const end = Math.min(700, start + 300);
      for (let b = start; b < end; b += BLOCK_ROWS) {
        const last = Math.min(end, b + BLOCK_ROWS);
        const block = new Float64Array(W);
        for (let i = b; i < last; i++) {
          let t = 0;
          for (let j = 0; j < W; j++) {
            const r = (values[i * W + j]! - y[i * W + j]!) * invScale[j]!;
            t += r * r;
            block[j]! += r * r;
          }
          want[i] = Number.isFinite(t) ? t / W : Number.NaN;
        }
        if (want.subarray(b, last).every(Number.isFinite)) {
          summed += last - b;
          block.forEach((v, j) => (sum[j]! += v));
        }
      }
    }
    assert.equal(scored.skipped, 2);
    assert.ok(Number.isNaN(got[40]!) && Number.isNaN(got[333]!));
    for (let i = 0; i < 700; i++)
      if (Number.isFinite(want[i]!))
        assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-6 * want[i]!, `row ${i}: ${got[i]} vs ${want[i]}`);
    assert.equal(scored.features.rows, summed);
    for (let j = 0; j < W; j++)
      assert.ok(Math.abs(scored.features.sum[j]! - sum[j]!) <= 1e-6 * sum[j]!, `feature ${j}`);
  });

  it('rejects a model whose input shape does not fit the data, naming both shapes', async () => {
    const wide = join(tmp.dir(), 'wide.onnx');
    await writeFile(wide, buildDenseModel({ widths: [32, 8, 32] }));
    await assert.rejects(fitPlugin(driftAutoencoder, reference, { model: wide }), (err: Error) => {
      assert.ok(err instanceof DataShapeError);
      assert.match(err.message, /model input "input" has shape \[batch, 32\] but the data's rows have shape \[16\]/);
      return true;
    });
  });

  it('rejects a corrupt ONNX file and a missing one with a clear error', async () => {
    const corrupt = join(tmp.dir(), 'corrupt.onnx');
    await writeFile(corrupt, (await readFile(model)).subarray(0, 200));
    await assert.rejects(
      fitPlugin(driftAutoencoder, reference, { model: corrupt }),
      (err: Error) => err instanceof ModelLoadError && /could not be loaded \(200 bytes; corrupt/.test(err.message),
    );
    await assert.rejects(
      fitPlugin(driftAutoencoder, reference, { model: join(tmp.dir(), 'none.onnx') }),
      /cannot read the ONNX model/,
    );
  });

  it('rejects an empty batch', async () => {
    const empty = await rows('empty.npy', 0, 5);
    await assert.rejects(
      driftAutoencoder.check(await openDataset(empty), state, config(), quietContext()),
      EmptyDataError,
    );
  });

  it('rejects a truncated float32 .npy (which the inference thread reads itself) before scoring it', async () => {
    const whole = await readFile(await rows('whole.npy', 500, 6));
    const cut = join(tmp.dir(), 'cut.npy');
    await writeFile(cut, whole.subarray(0, whole.length - 100));
    await assert.rejects(
      driftAutoencoder.check(await openDataset(cut), state, config(), quietContext()),
      (err: Error) => {
        assert.ok(err instanceof DataFormatError, String(err));
        assert.match(
          err.message,
          /cut\.npy: \.npy is truncated: the header's shape \(500, 16\) needs \d+ bytes, the file has \d+/,
        );
        return true;
      },
    );
  });

  it('feeds CSV columns to the model by name, and refuses a batch without them', async () => {
    const header = Array.from({ length: F }, (_, j) => `c${j}`);
    const g = gaussian(9);
    const line = () => Array.from({ length: F }, () => g().toFixed(4)).join(',');
    const csv = await tmp.file(
      'ref.csv',
      `${['id', ...header].join(',')}\n${Array.from({ length: 300 }, (_, i) => `${i},${line()}`).join('\n')}\n`,
    );
    const cfg = config({ columns: header });
    const csvState = await driftAutoencoder.fit!(await openDataset(csv), cfg, quietContext());
    assert.deepEqual(csvState.featureNames, header);
    const missing = await tmp.file('missing.csv', `id,c0\n1,0.5\n`);
    await assert.rejects(
      driftAutoencoder.check(await openDataset(missing), csvState, cfg, quietContext()),
      /column\(s\) "c1", "c2".* missing; the model reads c0, c1/,
    );
  });

  it('trains dense and conv reference autoencoders in the trainer image, and the checker runs them', async () => {
    const data = await exportedDatasets();
    const dense = await trainAutoencoder(
      join(data, 'iris.csv'),
      { epochs: 40, drop: ['species'] },
      join(tmp.dir(), 'iris-ae'),
    );
    assert.ok(dense.metrics.validation_loss! > 0 && dense.metrics.validation_loss! < 2);
    const irisState = await fitPlugin(driftAutoencoder, join(data, 'iris.csv'), {
      model: dense.model,
      columns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
    });
    assert.equal((irisState as AutoencoderState).reference.rows, 150);
    const conv = await trainAutoencoder(join(data, 'digits_images.npy'), { epochs: 3 }, join(tmp.dir(), 'conv-ae'));
    const convState = (await fitPlugin(driftAutoencoder, join(data, 'digits_images.npy'), {
      model: conv.model,
    })) as AutoencoderState;
    assert.deepEqual(convState.featureShape, [1, 8, 8]);
    const refErrors = await readFile(join(tmp.dir(), 'conv-ae', 'reference_errors.npy'));
    assert.ok(refErrors.length > 128);
  });
});
