import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import erfc from '@stdlib/math-base-special-erfc';
import padjust from '@stdlib/stats-padjust';
import {
  belowMinimum,
  defineChecker,
  insufficientData,
  surprise,
  type CheckContext,
  type FeatureReport,
} from '../api.js';
import { numericColumns, type DataSchema, type Dataset } from '../../lib/data/dataset.js';
import { CheckerStateError, EmptyDataError, ModelLoadError, PluginConfigError } from '../errors.js';
import { selectColumns } from '../columns.js';
import { skippedRowsRule } from '../skipped-rows.js';
import { exceedanceTest } from '../../lib/stats/exceedance-test.js';
import { histogramPairSorted } from '../../lib/stats/histogram.js';
import { ksTwoSample } from '../../lib/stats/ks.js';
import { quantileSorted, type Reservoir } from '../../lib/stats/reservoir.js';
import { streamSample, type StrideSample } from '../../lib/stats/stride-sample.js';
import { TopK } from '../../lib/stats/top-k.js';
import { AutoencoderConfigSchema, type AutoencoderConfig } from './config.js';
import type { FeatureErrorSums } from '../../lib/onnx/error-wasm.js';
import { openInferenceModel } from '../../lib/onnx/inference-thread.js';
import { referenceScale } from './reference-scale.js';
import { scoreDataset, selectFeatures, type FeatureSelection, type ScoreResult } from './score.js';

/**
 * drift-autoencoder: scores every row by its reconstruction error (MSE) under any ONNX
 * autoencoder, and alarms when the batch's errors are significantly worse than the reference's:
 * an exceedance test on the share above the reference p99 and a one-sided KS test on the error
 * distributions, combined by Bonferroni. Reports per-feature error contributions and the most
 * anomalous rows.
 */

export interface AutoencoderState {
  model: Uint8Array;
  modelSha256: string;
  /** Columns fed to the model (CSV), or the generated names of a .npy's flattened features. */
  featureNames: string[];
  featureShape: number[];
  invScale: Float32Array;
  reference: {
    rows: number;
    skipped: number;
    /** Sorted sample of reference row errors. */
    errors: Float64Array;
    quantiles: Record<string, number>;
    /** The reference quantile value; batch rows above it are counted. */
    threshold: number;
    /** The threshold is the `thresholdRank`-th largest of `errors`. */
    thresholdRank: number;
    featureMean: Float64Array;
    featureMeanVar: Float64Array;
  };
}

const QUANTILES = [0.5, 0.9, 0.95, 0.99, 0.999];

function quantiles(sorted: Float64Array): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(
    QUANTILES.map((q) => [`p${String(q * 100).replace('.', '_')}`, quantileSorted(sorted, q)]),
  );
  out.max = sorted.at(-1) ?? Number.NaN;
  return out;
}

/** Mean error per feature and the variance of that mean (from block sums). */
function featureMeans(s: FeatureErrorSums): { mean: Float64Array; meanVar: Float64Array } {
  const f = s.sum.length;
  const mean = new Float64Array(f);
  const meanVar = new Float64Array(f);
  for (let j = 0; j < f; j++) {
    mean[j] = s.rows ? s.sum[j]! / s.rows : 0;
    if (s.blocks >= 2) {
      const bm = s.blockSum[j]! / s.blocks;
      const varBlock = Math.max(0, (s.blockSumSq[j]! - s.blocks * bm * bm) / (s.blocks - 1));
      meanVar[j] = varBlock / (s.blockRows * s.rows);
    } else meanVar[j] = Number.NaN;
  }
  return { mean, meanVar };
}

async function loadModel(config: AutoencoderConfig): Promise<Uint8Array> {
  if (!config.model) throw new ModelLoadError('drift-autoencoder needs `model`: the path of an ONNX autoencoder');
  try {
    return new Uint8Array(await readFile(config.model));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ModelLoadError(
      `cannot read the ONNX model ${config.model}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`,
    );
  }
}

/** The plot's axis: log10 of a row error (zero errors at 1e-12). */
const log10Error = (e: number) => Math.log10(Math.max(e, 1e-12));

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Rejects when `config.model` names another model than the one fitted (the one of `sha256`). */
async function verifyModel(config: AutoencoderConfig, fitted: string): Promise<void> {
  if (config.model && sha256(await loadModel(config)) !== fitted) {
    throw new CheckerStateError(
      `the model ${config.model} is not the one this state was fitted with; fit again with this model`,
    );
  }
}

function selection(data: Dataset, schema: DataSchema, config: AutoencoderConfig, names?: string[]): FeatureSelection {
  if (schema.format === 'csv') {
    if (names) return selectFeatures(schema, names, data.label);
    const numeric = numericColumns(schema).map((c) => c.name);
    const chosen = selectColumns(
      'drift-autoencoder',
      schema.columns.map((c) => c.name),
      config,
      data.label,
      numeric,
    );
    return selectFeatures(schema, chosen, data.label);
  }
  if (config.columns || config.ignore.length)
    throw new PluginConfigError(
      `config of checker "drift-autoencoder": \`columns\` and \`ignore\` apply to CSV data; ${data.label} is a .npy whose rows the model reads whole`,
    );
  return selectFeatures(schema, undefined, data.label);
}

/** Fewest scored rows: below them the exceedance and KS tests have next to no power. */
const MIN_ROWS = { batch: 20, reference: 20 };

export const driftAutoencoder = defineChecker({
  name: 'drift-autoencoder',
  version: '1.1.0',
  configSchema: AutoencoderConfigSchema,
  minRows: MIN_ROWS,

  async fit(reference: Dataset, config: AutoencoderConfig, ctx: CheckContext): Promise<AutoencoderState> {
    const bytes = await loadModel(config);
    const modelSha256 = sha256(bytes);
    const schema = await reference.schema();
    const sel = selection(reference, schema, config);
    const model = await openInferenceModel(bytes, modelSha256, sel.featureShape, {
      inputName: config.inputName,
      outputName: config.outputName,
      threads: config.threads,
    });
    try {
      const useStd = config.scale === 'std' || (config.scale === 'auto' && sel.featureShape.length === 1);
      const invScale = useStd
        ? await referenceScale(reference, sel, config.batchRows)
        : new Float32Array(model.features).fill(1);
      const sample = streamSample(config.referenceSample, schema.rows, 11);
      const scored = await scoreDataset(
        reference,
        schema,
        model,
        sel,
        invScale,
        config,
        (errors) => sample.addFinite(errors),
        ctx.progress,
      );
      const errors = sample.sorted();
      if (errors.length === 0)
        throw new EmptyDataError(
          `${reference.label}: no reference row could be scored (every row has NaN or Inf; run the integrity checker)`,
        );
      const m = errors.length;
      const thresholdRank = Math.max(1, Math.floor((1 - config.quantile) * (m + 1)));
      const { mean, meanVar } = featureMeans(scored.features);
      ctx.log(
        `drift-autoencoder: reference of ${scored.rows} rows, p99 error ${quantileSorted(errors, 0.99).toPrecision(4)}`,
      );
      return {
        model: bytes,
        modelSha256,
        featureNames: sel.names,
        featureShape: sel.featureShape,
        invScale,
        reference: {
          rows: scored.rows,
          skipped: scored.skipped,
          errors,
          quantiles: quantiles(errors),
          threshold: errors[m - thresholdRank]!,
          thresholdRank,
          featureMean: mean,
          featureMeanVar: meanVar,
        },
      };
    } finally {
      model.release();
    }
  },

  async check(batch, state, config, ctx) {
    if (!state?.reference)
      throw new CheckerStateError(
        'drift-autoencoder needs the state that its fit wrote (reference errors and the model)',
      );
    // Scoring uses the fitted model from the state; a model named in the config must be that one.
    // Reading and hashing it is file I/O, so it runs beside the scoring, and it is the error
    // reported when both fail.
    const modelCheck = verifyModel(config, state.modelSha256);
    modelCheck.catch(() => undefined);
    let pass: BatchScore;
    try {
      pass = await scoreBatch(batch, state, config, ctx);
    } catch (err) {
      await modelCheck;
      throw err;
    }
    await modelCheck;
    const { scored, exceedances, top, sample } = pass;
    const ref = state.reference;
    const n = scored.rows - scored.skipped;
    const skipped = skippedRowsRule(
      { skipped: scored.skipped, rows: scored.rows },
      { skipped: ref.skipped, rows: ref.rows },
      { maxSkippedShare: config.maxSkippedShare, alpha: config.alpha, family: 3 },
    );
    const dataQuality = skipped.details;
    if (n === 0) {
      return {
        plugin: 'drift-autoencoder',
        status: 'alarm' as const,
        alarm: true,
        score: surprise(0),
        threshold: surprise(config.alpha),
        pValue: 0,
        details: {
          method: 'no row of the batch could be scored: every row has NaN or Inf',
          rows: scored.rows,
          dataQuality: { ...dataQuality, alarm: true },
        },
      };
    }
    const batchErrors = sample.sorted();
    const exceed = exceedanceTest(exceedances, n, ref.thresholdRank, ref.errors.length);
    const ks = ksTwoSample(ref.errors, batchErrors);
    // Tarone: when no row of either sample was skipped the skipped-rows test cannot reject, and
    // Bonferroni is over the other two alone.
    const family = skipped.inFamily ? 3 : 2;
    const pValue = Math.min(1, family * Math.min(exceed.pValue, ks.pGreater, skipped.pValue));
    const threshold = surprise(config.alpha);
    const score = surprise(pValue);
    const features = perFeatureReport(state, scored.features, config);
    const alarm = pValue < config.alpha;
    if (!alarm && belowMinimum(n, ref.errors.length, MIN_ROWS))
      return insufficientData(
        'drift-autoencoder',
        config.alpha,
        { batchRows: n, referenceRows: ref.errors.length, minRows: MIN_ROWS, what: 'scored rows' },
        { dataQuality },
      );
    return {
      plugin: 'drift-autoencoder',
      status: alarm ? ('alarm' as const) : ('ok' as const),
      alarm,
      score,
      threshold,
      pValue,
      perFeature: features.top,
      details: {
        method: `Bonferroni (each at alpha/${family}) of (exceedances of the reference p99: beta-binomial test), (one-sided two-sample KS on row errors)${family === 3 ? ' and (share of rows skipped for NaN/Inf above maxSkippedShare: Fisher)' : '; the skipped-rows test is left out: no row was skipped in either sample (Tarone)'}`,
        rows: scored.rows,
        skippedRows: scored.skipped,
        dataQuality,
        referenceRows: ref.rows,
        quantile: config.quantile,
        errorThreshold: ref.threshold,
        exceedances,
        exceedanceShare: exceedances / n,
        expectedShare: exceed.expectedShare,
        exceedancePValue: exceed.pValue,
        ksStatistic: ks.dPlus,
        ksPValue: ks.pGreater,
        referenceQuantiles: ref.quantiles,
        batchQuantiles: quantiles(batchErrors),
        topAnomalies: top.result().map((t) => ({ index: t.id, error: t.score })),
        featureShape: state.featureShape,
        // Batch ÷ reference mean error of every feature, in row order (a heat map for images).
        ...(features.ratios.length <= 4096 ? { featureErrorRatio: features.ratios } : {}),
        histogram: histogramPairSorted(
          'log10 reconstruction error',
          ref.errors,
          batchErrors,
          log10Error,
          40,
          log10Error(ref.threshold),
        ),
      },
    };
  },
});

interface BatchScore {
  scored: ScoreResult;
  /** Scored rows whose error is above the reference threshold. */
  exceedances: number;
  top: TopK;
  sample: StrideSample | Reservoir;
}

/** Scores every row of the batch with the fitted model, counting exceedances and keeping the largest errors and a sample. */
async function scoreBatch(
  batch: Dataset,
  state: AutoencoderState,
  config: AutoencoderConfig,
  ctx: CheckContext,
): Promise<BatchScore> {
  // The batch's header is read while the inference thread opens the model.
  const read = batch.schema().then((schema) => ({
    schema,
    sel: selection(batch, schema, config, schema.format === 'csv' ? state.featureNames : undefined),
  }));
  const model = await openInferenceModel(
    state.model,
    state.modelSha256,
    read.then((r) => r.sel.featureShape),
    { inputName: config.inputName, outputName: config.outputName, threads: config.threads },
  );
  const { schema, sel } = await read;
  const threshold = state.reference.threshold;
  const sample = streamSample(config.batchSample, schema.rows, 13);
  const top = new TopK(config.topK);
  let exceedances = 0;
  try {
    const scored = await scoreDataset(
      batch,
      schema,
      model,
      sel,
      state.invScale,
      config,
      (errors, offset) => {
        let floor = top.floor;
        for (let i = 0; i < errors.length; i++) {
          const e = errors[i]!;
          // NaN (a row with NaN or Inf) is above nothing.
          if (e > threshold) exceedances++;
          if (e > floor) {
            top.add(e, offset + i);
            floor = top.floor;
          }
        }
        sample.addFinite(errors);
      },
      ctx.progress,
    );
    return { scored, exceedances, top, sample };
  } finally {
    model.release();
  }
}

function perFeatureReport(
  state: AutoencoderState,
  sums: FeatureErrorSums,
  config: AutoencoderConfig,
): { top: FeatureReport[]; ratios: number[] } {
  const { mean, meanVar } = featureMeans(sums);
  const ref = state.reference;
  const rows = Array.from(mean, (b, j) => {
    const r = ref.featureMean[j]!;
    const sd = Math.sqrt(meanVar[j]! + ref.featureMeanVar[j]!);
    const z = sd > 0 && Number.isFinite(sd) ? (b - r) / sd : b > r ? Number.POSITIVE_INFINITY : 0;
    // The normal's upper tail from erfc, so a large z gives a tiny p instead of 1 − 1 = 0.
    return { j, ratio: b / Math.max(r, 1e-12), z, p: 0.5 * erfc(z / Math.SQRT2) };
  });
  const adjusted = padjust(
    rows.map((r) => r.p),
    'holm',
  );
  const ratios = rows.map((r) => (Number.isFinite(r.ratio) ? Number(r.ratio.toPrecision(4)) : 0));
  const top = rows
    .map((r, k) => ({ ...r, adj: adjusted[k]! }))
    .sort((a, b) => b.z - a.z || b.ratio - a.ratio)
    .slice(0, config.maxFeatures)
    .map((r) => ({
      name: state.featureNames[r.j] ?? `f${r.j}`,
      score: r.ratio,
      pValue: r.adj,
      alarm: r.adj < config.alpha,
      test: 'error-ratio (z-test, Holm)',
    }));
  return { top, ratios };
}
