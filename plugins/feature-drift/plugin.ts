import padjust from '@stdlib/stats-padjust';
import { belowMinimum, defineChecker, insufficientData, surprise, type FeatureReport } from '../api.js';
import { withCategorical, type DataSchema, type Dataset } from '../../lib/data/dataset.js';
import { CheckerStateError, DataShapeError } from '../errors.js';
import { selectColumns } from '../columns.js';
import { chiSquareGoodnessOfFit, chiSquareHomogeneity } from '../../lib/stats/chi-square.js';
import { histogramPair } from '../../lib/stats/histogram.js';
import { hypergeometricUpperTail, shareIncreaseTest } from '../../lib/stats/hypergeometric.js';
import { ksTwoSample } from '../../lib/stats/ks.js';
import { taroneHolm } from '../../lib/stats/multiple-testing.js';
import { binCounts, psi } from '../../lib/stats/psi.js';
import { FeatureDriftConfigSchema, type FeatureDriftConfig } from './config.js';
import { profileDataset, quantileCuts, type Profile } from './profile.js';

/**
 * feature-drift: per-feature two-sample tests between reference and batch (KS for numeric
 * columns, chi-square homogeneity for categorical ones, with a simulated p-value when counts are
 * small), a missing-share test per column (a column missing in the batch is a finding, not a
 * KS of 0), PSI per feature, and the class balance of a label column, with Holm (over the tests
 * that can reach significance) or BH over all the tests.
 */

export interface FeatureDriftState {
  schema: DataSchema;
  /** Columns tested (the label excluded). */
  columns: string[];
  profile: Profile;
  /** PSI cut points and reference bin counts per numeric column. */
  psi: Record<string, { cuts: number[]; counts: number[] }>;
}

type TestKind = 'ks' | 'chi-square' | 'chi-square-gof' | 'chi-square-homogeneity' | 'missing-share' | 'missing-column';

interface TestRow {
  name: string;
  test: TestKind;
  statistic: number;
  pValue: number;
  /** The smallest p-value the test can reach with these pooled counts (Tarone); 0 when not known. */
  minPValue: number;
  psi: number;
  newLevels: string[];
}

const MIN_ROWS = { batch: 20, reference: 20 };

async function effectiveSchema(data: Dataset, config: FeatureDriftConfig): Promise<DataSchema> {
  const base = await data.schema();
  const forced = [...config.categorical, ...(config.labelColumn ? [config.labelColumn] : [])];
  try {
    return withCategorical(base, forced);
  } catch (err) {
    throw new DataShapeError(`${data.label}: ${(err as Error).message}`);
  }
}

function levelCounts(ref: Record<string, number>, batch: Record<string, number>) {
  const levels = [...new Set([...Object.keys(ref), ...Object.keys(batch)])].sort();
  return {
    levels,
    ref: levels.map((l) => ref[l] ?? 0),
    batch: levels.map((l) => batch[l] ?? 0),
    newLevels: levels.filter((l) => !(l in ref) && (batch[l] ?? 0) > 0),
  };
}

const shares = (levels: string[], counts: number[]) => {
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  return Object.fromEntries(levels.map((l, i) => [l, counts[i]! / total]));
};

/** Has the share of missing (or non-finite) cells of a column risen? */
function missingTest(name: string, batch: number, n: number, reference: number, m: number): TestRow {
  const pooled = batch + reference;
  return {
    name,
    test: 'missing-share',
    statistic: batch / Math.max(n, 1) - reference / Math.max(m, 1),
    pValue: shareIncreaseTest(batch, n, reference, m).pValue,
    minPValue: hypergeometricUpperTail(Math.min(pooled, n), n + m, pooled, n),
    psi: 0,
    newLevels: [],
  };
}

/** The reference columns the batch's CSV header lacks (none for .npy, whose shape the profile checks). */
async function missingColumns(batch: Dataset, state: FeatureDriftState, label?: string): Promise<string[]> {
  if (state.schema.format !== 'csv') return [];
  const header = await batch.header();
  const wanted = [...state.columns, ...(label ? [label] : [])];
  return wanted.filter((c) => !header.includes(c));
}

export const featureDrift = defineChecker({
  name: 'feature-drift',
  version: '2.0.0',
  configSchema: FeatureDriftConfigSchema,
  minRows: MIN_ROWS,

  async fit(reference, config, ctx): Promise<FeatureDriftState> {
    const schema = await effectiveSchema(reference, config);
    const names = schema.columns.map((c) => c.name);
    const usable = names.filter((n) => n !== config.labelColumn);
    const columns = selectColumns('feature-drift', names, config, reference.label, usable);
    const profile = await profileDataset(reference, schema, { sampleSize: config.sampleSize, progress: ctx.progress });
    const psiState: FeatureDriftState['psi'] = {};
    for (const p of profile.numeric) {
      const cuts = quantileCuts(p.sample, config.psiBins);
      psiState[p.name] = { cuts, counts: binCounts(p.sample, cuts) };
    }
    return { schema, columns, profile, psi: psiState };
  },

  async check(batch, state, config, ctx) {
    if (!state?.profile) throw new CheckerStateError('feature-drift needs the state that its fit wrote');
    const absent = await missingColumns(batch, state, config.labelColumn);
    if (config.labelColumn && absent.includes(config.labelColumn))
      throw new DataShapeError(
        `${batch.label}: the label column "${config.labelColumn}" is missing; check the batch, or drop labelColumn from the config`,
      );
    const schema: DataSchema = absent.length
      ? (() => {
          const columns = state.schema.columns.filter((c) => !absent.includes(c.name));
          return { ...state.schema, columns, featureShape: [columns.filter((c) => c.kind === 'numeric').length] };
        })()
      : state.schema;
    const cuts = Object.fromEntries(Object.entries(state.psi).map(([k, v]) => [k, v.cuts]));
    const profile = await profileDataset(batch, schema, {
      sampleSize: config.sampleSize,
      cuts,
      progress: ctx.progress,
    });
    const n = profile.rows;
    const m = state.profile.rows;
    const tests: TestRow[] = [];
    for (const name of state.columns) {
      if (absent.includes(name)) {
        tests.push({ name, test: 'missing-column', statistic: 1, pValue: 0, minPValue: 0, psi: 0, newLevels: [] });
        continue;
      }
      const rn = state.profile.numeric.find((p) => p.name === name);
      const bn = profile.numeric.find((p) => p.name === name);
      if (rn && bn) {
        const ks = ksTwoSample(rn.sample, bn.sample);
        tests.push({
          name,
          test: 'ks',
          statistic: ks.d,
          pValue: ks.pValue,
          minPValue: 0,
          psi: psi(state.psi[name]!.counts, bn.bins ?? []),
          newLevels: [],
        });
        tests.push(missingTest(name, bn.missing, n, rn.missing, m));
        continue;
      }
      const rc = state.profile.categorical.find((p) => p.name === name)!;
      const bc = profile.categorical.find((p) => p.name === name)!;
      const lc = levelCounts(rc.counts, bc.counts);
      const chi = chiSquareHomogeneity(lc.ref, lc.batch);
      tests.push({
        name,
        test: 'chi-square',
        statistic: chi.statistic,
        pValue: chi.pValue,
        minPValue: 0,
        psi: psi(lc.ref, lc.batch),
        newLevels: lc.newLevels,
      });
      tests.push(missingTest(name, bc.missing, n, rc.missing, m));
    }
    let classBalance: Record<string, unknown> | undefined;
    if (config.labelColumn) {
      const rc = state.profile.categorical.find((p) => p.name === config.labelColumn);
      const bc = profile.categorical.find((p) => p.name === config.labelColumn);
      if (!rc || !bc)
        throw new CheckerStateError(
          `label column "${config.labelColumn}" was not fitted; fit again with this labelColumn`,
        );
      const lc = levelCounts(rc.counts, bc.counts);
      const known = config.classProportions;
      const chi = known
        ? chiSquareGoodnessOfFit(
            lc.batch,
            lc.levels.map((l) => known[l] ?? 0),
          )
        : chiSquareHomogeneity(lc.ref, lc.batch);
      const test = known ? 'chi-square-gof' : 'chi-square-homogeneity';
      tests.push({
        name: config.labelColumn,
        test,
        statistic: chi.statistic,
        pValue: chi.pValue,
        minPValue: 0,
        psi: psi(lc.ref, lc.batch),
        newLevels: lc.newLevels,
      });
      classBalance = {
        column: config.labelColumn,
        test,
        statistic: chi.statistic,
        df: chi.df,
        pValue: chi.pValue,
        pValueMethod: chi.method,
        reference: shares(lc.levels, lc.ref),
        batch: shares(lc.levels, lc.batch),
      };
    }
    const family =
      config.correction === 'holm'
        ? taroneHolm(tests, config.alpha)
        : {
            adjusted: padjust(
              tests.map((t) => t.pValue),
              'bh',
            ),
            size: tests.length,
          };
    const rows = tests.map((t, i) => {
      const adj = family.adjusted[i]!;
      const psiAlarm = config.psiThreshold !== undefined && t.psi > config.psiThreshold;
      const levelAlarm = config.alarmOnNewLevels && t.newLevels.length > 0;
      const missingAlarm = t.test === 'missing-column';
      return { ...t, adjusted: adj, alarm: adj < config.alpha || psiAlarm || levelAlarm || missingAlarm };
    });
    const minP = rows.length ? Math.min(...rows.map((r) => r.adjusted)) : 1;
    const drifted = rows.filter((r) => r.alarm);
    const perFeature: FeatureReport[] = [...rows]
      .sort((a, b) => a.adjusted - b.adjusted || b.psi - a.psi)
      .map((r) => ({ name: r.name, score: r.psi, pValue: r.adjusted, alarm: r.alarm, test: r.test }));
    const top = rows.filter((r) => r.test === 'ks').sort((a, b) => a.adjusted - b.adjusted)[0];
    const topRef = top && state.profile.numeric.find((p) => p.name === top.name);
    const topBatch = top && profile.numeric.find((p) => p.name === top.name);
    const details = {
      method: `per-feature KS (numeric) and chi-square homogeneity (categorical), and a missing-share test (Fisher) per column, ${
        config.correction === 'holm'
          ? `Holm over the ${family.size} of ${rows.length} tests that can reach significance (Tarone)`
          : `Benjamini-Hochberg over ${rows.length} tests`
      }, alpha = ${config.alpha}`,
      rows: n,
      referenceRows: m,
      driftedFeatures: [...new Set(drifted.map((r) => r.name))],
      missingColumns: absent,
      newLevels: Object.fromEntries(rows.filter((r) => r.newLevels.length).map((r) => [r.name, r.newLevels])),
      tests: rows.map((r) => ({
        name: r.name,
        test: r.test,
        statistic: r.statistic,
        pValue: r.pValue,
        adjustedPValue: r.adjusted,
        psi: r.psi,
      })),
      ...(classBalance ? { classBalance } : {}),
      ...(topRef && topBatch
        ? { histogram: histogramPair(`values of ${top.name}`, topRef.sample, topBatch.sample, 30) }
        : {}),
    };
    if (drifted.length === 0 && belowMinimum(n, m, MIN_ROWS))
      return insufficientData(
        'feature-drift',
        config.alpha,
        { batchRows: n, referenceRows: m, minRows: MIN_ROWS },
        details,
      );
    return {
      plugin: 'feature-drift',
      status: drifted.length > 0 ? ('alarm' as const) : ('ok' as const),
      alarm: drifted.length > 0,
      score: surprise(minP),
      threshold: surprise(config.alpha),
      pValue: minP,
      perFeature,
      details,
    };
  },
});
