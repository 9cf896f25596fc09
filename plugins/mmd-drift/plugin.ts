import { belowMinimum, defineChecker, insufficientData, surprise, type FeatureReport } from '../api.js';
import { numericColumns, type DataSchema, type Dataset } from '../../lib/data/dataset.js';
import { CheckerStateError, EmptyDataError } from '../errors.js';
import { selectColumns } from '../columns.js';
import { histogramPair } from '../../lib/stats/histogram.js';
import { skippedRowsRule } from '../skipped-rows.js';
import { mmdTest } from '../../lib/stats/mmd.js';
import { RowReservoir } from '../../lib/stats/row-reservoir.js';
import { MmdConfigSchema, type MmdConfig } from './config.js';

/**
 * mmd-drift: a multivariate two-sample test on the raw numeric features, maximum mean discrepancy
 * with a Gaussian kernel (Alibi Detect's default multivariate detector) in its random-Fourier-
 * feature form, with a permutation p-value. It sees shifts no per-feature test and no
 * reconstruction error sees: a batch drawn from only some classes, features that move together
 * differently, a scale change spread thinly over many columns.
 */

export interface MmdState {
  columns: string[];
  /** Sampled complete reference rows, row-major (rows × columns). */
  sample: Float64Array;
  sampleRows: number;
  rows: number;
  /** Reference rows with a missing, NaN or Inf value in a used column (left out). */
  skipped: number;
}

const MIN_ROWS = { batch: 20, reference: 20 };

interface Sampled {
  reservoir: RowReservoir;
  rows: number;
  skipped: number;
}

/** A uniform sample of the complete rows of `columns`, and counts of rows and incomplete rows. */
async function sampleRows(
  data: Dataset,
  schema: DataSchema,
  columns: string[],
  capacity: number,
  seed: number,
  progress: (rows: number) => void,
): Promise<Sampled> {
  const numeric = numericColumns(schema).map((c) => c.name);
  const pick = columns.map((c) => numeric.indexOf(c));
  const reservoir = new RowReservoir(capacity, columns.length, seed);
  let rows = 0;
  let skipped = 0;
  for await (const chunk of data.chunks({ schema })) {
    for (let i = 0; i < chunk.rows; i++) {
      const base = i * chunk.width;
      let complete = true;
      for (const k of pick) if (!Number.isFinite(chunk.numeric[base + k]!)) complete = false;
      if (complete) reservoir.add(chunk.numeric, base, pick);
      else skipped++;
    }
    rows += chunk.rows;
    progress(rows);
  }
  if (rows === 0) throw new EmptyDataError(`${data.label} has no rows`);
  return { reservoir, rows, skipped };
}

function usedColumns(schema: DataSchema, config: MmdConfig, label: string): string[] {
  const numeric = numericColumns(schema).map((c) => c.name);
  return selectColumns(
    'mmd-drift',
    schema.columns.map((c) => c.name),
    config,
    label,
    numeric,
  );
}

export const mmdDrift = defineChecker({
  name: 'mmd-drift',
  version: '1.0.0',
  configSchema: MmdConfigSchema,
  minRows: MIN_ROWS,

  async fit(reference, config, ctx): Promise<MmdState> {
    const schema = await reference.schema();
    const columns = usedColumns(schema, config, reference.label);
    const s = await sampleRows(reference, schema, columns, config.referenceSample, config.seed + 11, ctx.progress);
    return {
      columns,
      sample: Float64Array.from(s.reservoir.sample()),
      sampleRows: s.reservoir.rows,
      rows: s.rows,
      skipped: s.skipped,
    };
  },

  async check(batch, state, config, ctx) {
    if (!state?.sample) throw new CheckerStateError('mmd-drift needs the state that its fit wrote');
    const schema = await batch.schema();
    const all = schema.columns.map((c) => c.name);
    const absent = state.columns.filter((c) => !all.includes(c));
    if (absent.length) {
      return {
        plugin: 'mmd-drift',
        status: 'alarm' as const,
        alarm: true,
        score: surprise(0),
        threshold: surprise(config.alpha),
        pValue: 0,
        details: {
          method: 'the batch lacks columns the reference had',
          missingColumns: absent,
          message: `column(s) ${absent.join(', ')} missing from ${batch.label}`,
        },
      };
    }
    const s = await sampleRows(batch, schema, state.columns, config.batchSample, config.seed + 13, ctx.progress);
    const n = s.reservoir.rows;
    const m = state.sampleRows;
    const skipped = skippedRowsRule(s, state, {
      maxSkippedShare: config.maxSkippedShare,
      alpha: config.alpha,
      family: 2,
    });
    const dataQuality = skipped.details;
    if (belowMinimum(n, m, MIN_ROWS)) {
      if (dataQuality.alarm)
        return {
          plugin: 'mmd-drift',
          status: 'alarm' as const,
          alarm: true,
          score: surprise(2 * skipped.pValue),
          threshold: surprise(config.alpha),
          pValue: Math.min(1, 2 * skipped.pValue),
          details: {
            method: 'too few complete rows to test; the skipped share alone alarms',
            rows: s.rows,
            dataQuality,
          },
        };
      return insufficientData(
        'mmd-drift',
        config.alpha,
        { batchRows: n, referenceRows: m, minRows: MIN_ROWS, what: 'complete rows' },
        { dataQuality },
      );
    }
    const d = state.columns.length;
    const t0 = performance.now();
    const test = mmdTest(state.sample, m, s.reservoir.sample(), n, d, {
      features: config.features,
      permutations: config.permutations,
      bandwidth: config.bandwidth,
      seed: config.seed,
    });
    const ms = performance.now() - t0;
    // Tarone: with no skipped row in either sample the skipped-rows test cannot reject and is left out.
    const family = skipped.inFamily ? 2 : 1;
    const pValue = Math.min(1, family * Math.min(test.pValue, skipped.pValue));
    const alarm = pValue < config.alpha;
    const perFeature: FeatureReport[] = state.columns
      .map((name, k) => ({
        name,
        score: Math.abs(test.meanShift[k]!),
        test: 'standardized mean shift (explains, not a test)',
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 50);
    return {
      plugin: 'mmd-drift',
      status: alarm ? ('alarm' as const) : ('ok' as const),
      alarm,
      score: surprise(pValue),
      threshold: surprise(config.alpha),
      pValue,
      perFeature,
      details: {
        method: `MMD² with a Gaussian kernel (${config.features} random Fourier features, bandwidth ${test.bandwidth.toPrecision(3)} in pooled standard deviations) on ${d} standardized columns, p-value from ${test.permutations} label permutations${family === 2 ? '; Bonferroni with the skipped-rows test (each at alpha/2)' : ''}`,
        statistic: test.statistic,
        mmdPValue: test.pValue,
        permutations: test.permutations,
        bandwidth: test.bandwidth,
        rows: s.rows,
        referenceRows: state.rows,
        sampledRows: n,
        sampledReferenceRows: m,
        dataQuality,
        testMs: Math.round(ms),
        histogram: histogramPair(
          'MMD witness function (larger: more like the batch)',
          test.witness.reference,
          test.witness.batch,
          30,
        ),
      },
    };
  },
});
