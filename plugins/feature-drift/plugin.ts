import padjust from '@stdlib/stats-padjust';
import { defineChecker, surprise, type FeatureReport } from '../api.js';
import { withCategorical, type DataSchema, type Dataset } from '../../lib/data/dataset.js';
import { CheckerStateError, DataShapeError } from '../errors.js';
import { chiSquareGoodnessOfFit, chiSquareHomogeneity } from '../../lib/stats/chi-square.js';
import { histogramPair } from '../../lib/stats/histogram.js';
import { ksTwoSample } from '../../lib/stats/ks.js';
import { binCounts, psi } from '../../lib/stats/psi.js';
import { FeatureDriftConfigSchema, type FeatureDriftConfig } from './config.js';
import { profileDataset, quantileCuts, type Profile } from './profile.js';

/**
 * feature-drift: per-feature two-sample tests between reference and batch (KS for numeric
 * columns, chi-square homogeneity for categorical ones), PSI per feature, new category levels,
 * and the class balance of a label column, with Holm or BH over all the tests.
 */

export interface FeatureDriftState {
  schema: DataSchema;
  /** Columns tested (the label excluded). */
  columns: string[];
  profile: Profile;
  /** PSI cut points and reference bin counts per numeric column. */
  psi: Record<string, { cuts: number[]; counts: number[] }>;
}

interface TestRow {
  name: string;
  test: 'ks' | 'chi-square' | 'chi-square-gof' | 'chi-square-homogeneity';
  statistic: number;
  pValue: number;
  psi: number;
  newLevels: string[];
}

async function effectiveSchema(data: Dataset, config: FeatureDriftConfig): Promise<DataSchema> {
  const base = await data.schema();
  const forced = [...config.categorical, ...(config.labelColumn ? [config.labelColumn] : [])];
  try {
    return withCategorical(base, forced);
  } catch (err) {
    throw new DataShapeError(`${data.path}: ${(err as Error).message}`);
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

export const featureDrift = defineChecker({
  name: 'feature-drift',
  version: '1.0.0',
  configSchema: FeatureDriftConfigSchema,

  async fit(reference, config, ctx): Promise<FeatureDriftState> {
    const schema = await effectiveSchema(reference, config);
    const all = schema.columns.map((c) => c.name).filter((n) => n !== config.labelColumn);
    const columns = config.columns ?? all;
    for (const c of columns)
      if (!all.includes(c))
        throw new DataShapeError(`${reference.path}: no column "${c}" to test; columns are ${all.join(', ')}`);
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
    const cuts = Object.fromEntries(Object.entries(state.psi).map(([k, v]) => [k, v.cuts]));
    const profile = await profileDataset(batch, state.schema, {
      sampleSize: config.sampleSize,
      cuts,
      progress: ctx.progress,
    });
    const tests: TestRow[] = [];
    for (const name of state.columns) {
      const rn = state.profile.numeric.find((p) => p.name === name);
      const bn = profile.numeric.find((p) => p.name === name);
      if (rn && bn) {
        const ks = ksTwoSample(rn.sample, bn.sample);
        tests.push({
          name,
          test: 'ks',
          statistic: ks.d,
          pValue: ks.pValue,
          psi: psi(state.psi[name]!.counts, bn.bins ?? []),
          newLevels: [],
        });
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
        psi: psi(lc.ref, lc.batch),
        newLevels: lc.newLevels,
      });
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
        psi: psi(lc.ref, lc.batch),
        newLevels: lc.newLevels,
      });
      classBalance = {
        column: config.labelColumn,
        test,
        statistic: chi.statistic,
        df: chi.df,
        pValue: chi.pValue,
        reference: shares(lc.levels, lc.ref),
        batch: shares(lc.levels, lc.batch),
      };
    }
    const adjusted = tests.length
      ? padjust(
          tests.map((t) => t.pValue),
          config.correction,
        )
      : [];
    const rows = tests.map((t, i) => {
      const adj = adjusted[i]!;
      const psiAlarm = config.psiThreshold !== undefined && t.psi > config.psiThreshold;
      const levelAlarm = config.alarmOnNewLevels && t.newLevels.length > 0;
      return { ...t, adjusted: adj, alarm: adj < config.alpha || psiAlarm || levelAlarm };
    });
    const minP = rows.length ? Math.min(...rows.map((r) => r.adjusted)) : 1;
    const drifted = rows.filter((r) => r.alarm);
    const perFeature: FeatureReport[] = [...rows]
      .sort((a, b) => a.adjusted - b.adjusted || b.psi - a.psi)
      .map((r) => ({ name: r.name, score: r.psi, pValue: r.adjusted, alarm: r.alarm, test: r.test }));
    const top = rows.filter((r) => r.test === 'ks').sort((a, b) => a.adjusted - b.adjusted)[0];
    const topRef = top && state.profile.numeric.find((p) => p.name === top.name);
    const topBatch = top && profile.numeric.find((p) => p.name === top.name);
    return {
      plugin: 'feature-drift',
      alarm: drifted.length > 0,
      score: surprise(minP),
      threshold: surprise(config.alpha),
      pValue: minP,
      perFeature,
      details: {
        method: `per-feature KS (numeric) and chi-square homogeneity (categorical), ${config.correction === 'holm' ? 'Holm' : 'Benjamini-Hochberg'} over ${rows.length} tests`,
        rows: profile.rows,
        referenceRows: state.profile.rows,
        driftedFeatures: drifted.map((r) => r.name),
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
      },
    };
  },
});
