import padjust from '@stdlib/stats-padjust';
import { defineChecker, type FeatureReport } from '../api.js';
import type { ColumnKind, DataSchema } from '../../lib/data/dataset.js';
import { csvHeader } from '../../lib/data/csv-source.js';
import { CheckerStateError, EmptyDataError } from '../errors.js';
import { exceedanceTest } from '../../lib/stats/exceedance-test.js';
import { IntegrityConfigSchema } from './config.js';
import { scanDataset, type Scan } from './scan.js';

/**
 * integrity: is the batch well-formed compared with the reference? Schema (columns, kinds, .npy
 * shape), missing values, NaN and ±Inf, values outside the ranges learned at fit, duplicate rows.
 * Each broken rule is one violation; the check alarms on any violation.
 */

export interface IntegrityState {
  schema: DataSchema;
  scan: Scan;
}

interface Violation {
  rule: 'schema' | 'type' | 'missing' | 'non-finite' | 'range' | 'duplicates';
  column?: string;
  count: number;
  message: string;
}

const share = (count: number, rows: number) => (rows ? count / rows : 0);

export const integrity = defineChecker({
  name: 'integrity',
  version: '1.0.0',
  configSchema: IntegrityConfigSchema,

  async fit(reference, config, ctx): Promise<IntegrityState> {
    const schema = await reference.schema();
    const scan = await scanDataset(reference, schema, {
      margin: config.rangeMargin,
      maxTrackedRows: config.maxTrackedRows,
      progress: ctx.progress,
    });
    if (scan.rows === 0) throw new EmptyDataError(`${reference.path} has no rows`);
    return { schema, scan };
  },

  async check(batch, state, config, ctx) {
    if (!state?.scan) throw new CheckerStateError('integrity needs the state that its fit wrote');
    const ref = state.schema;
    const violations: Violation[] = [];
    const got = await batch.schema();
    let schema: DataSchema = ref;
    if (got.format !== ref.format) {
      violations.push({
        rule: 'schema',
        count: 1,
        message: `the batch is ${got.format}, the reference was ${ref.format}`,
      });
    } else if (ref.format === 'npy') {
      if (got.featureShape.join('x') !== ref.featureShape.join('x')) {
        violations.push({
          rule: 'schema',
          count: 1,
          message: `rows have shape [${got.featureShape.join(', ')}], the reference's had [${ref.featureShape.join(', ')}]`,
        });
      }
    } else {
      const header = await csvHeader(batch.path);
      const kinds = new Map<string, ColumnKind>(got.columns.map((c) => [c.name, c.kind]));
      const missingCols = ref.columns.filter((c) => !header.includes(c.name));
      for (const c of missingCols)
        violations.push({ rule: 'schema', column: c.name, count: 1, message: `column "${c.name}" is missing` });
      const extra = header.filter((h) => !ref.columns.some((c) => c.name === h));
      if (extra.length && !config.allowExtraColumns)
        violations.push({ rule: 'schema', count: extra.length, message: `unexpected column(s): ${extra.join(', ')}` });
      for (const c of ref.columns) {
        if (kinds.get(c.name) === 'categorical' && c.kind === 'numeric') {
          violations.push({
            rule: 'type',
            column: c.name,
            count: 1,
            message: `column "${c.name}" was numeric and now holds text`,
          });
        }
      }
      const present = ref.columns.filter((c) => header.includes(c.name));
      schema = { ...ref, columns: present, featureShape: [present.filter((c) => c.kind === 'numeric').length] };
    }
    if (violations.some((v) => v.rule === 'schema' && !v.column)) return report(violations, undefined, config.alpha);

    const ranges = Object.fromEntries(state.scan.columns.map((c) => [c.name, { min: c.min, max: c.max }]));
    const scan = await scanDataset(batch, schema, {
      ranges,
      margin: config.rangeMargin,
      maxTrackedRows: config.maxTrackedRows,
      progress: ctx.progress,
    });
    if (scan.rows === 0) throw new EmptyDataError(`${batch.path} has no rows`);
    const refCol = new Map(state.scan.columns.map((c) => [c.name, c]));
    const rangeTests: { column: string; count: number; pValue: number }[] = [];
    for (const c of scan.columns) {
      const r = refCol.get(c.name)!;
      if (c.invalid > 0)
        violations.push({
          rule: 'type',
          column: c.name,
          count: c.invalid,
          message: `${c.invalid} cell(s) of numeric column "${c.name}" are not numbers`,
        });
      if (share(c.missing, scan.rows) > share(r.missing, state.scan.rows) + config.missingTolerance) {
        violations.push({
          rule: 'missing',
          column: c.name,
          count: c.missing,
          message: `"${c.name}" is ${(100 * share(c.missing, scan.rows)).toFixed(1)}% missing (reference ${(100 * share(r.missing, state.scan.rows)).toFixed(1)}%)`,
        });
      }
      if (!config.allowNonFinite && (c.nan > r.nan || c.inf > r.inf) && c.nan + c.inf > 0 && r.nan + r.inf === 0) {
        violations.push({
          rule: 'non-finite',
          column: c.name,
          count: c.nan + c.inf,
          message: `"${c.name}" has ${c.nan} NaN and ${c.inf} ±Inf value(s)`,
        });
      }
      if (c.kind === 'numeric' && r.min !== null) {
        const finite = scan.rows - c.missing - c.invalid - c.nan - c.inf;
        const refFinite = state.scan.rows - r.missing - r.invalid - r.nan - r.inf;
        // Under "no change" a new value falls outside the reference's [min, max] with probability 2/(m+1).
        rangeTests.push({
          column: c.name,
          count: c.outOfRange,
          pValue: exceedanceTest(c.outOfRange, finite, 2, refFinite).pValue,
        });
        if (c.farOutOfRange > 0) {
          violations.push({
            rule: 'range',
            column: c.name,
            count: c.farOutOfRange,
            message: `${c.farOutOfRange} value(s) of "${c.name}" lie far outside the reference range [${r.min}, ${r.max}]`,
          });
        }
      }
    }
    const adjusted = rangeTests.length
      ? padjust(
          rangeTests.map((t) => t.pValue),
          'holm',
        )
      : [];
    rangeTests.forEach((t, i) => {
      if (adjusted[i]! < config.alpha && !violations.some((v) => v.rule === 'range' && v.column === t.column)) {
        const r = refCol.get(t.column)!;
        violations.push({
          rule: 'range',
          column: t.column,
          count: t.count,
          message: `${t.count} value(s) of "${t.column}" lie outside the reference range [${r.min}, ${r.max}], more than chance allows`,
        });
      }
    });
    if (share(scan.duplicates, scan.rows) > share(state.scan.duplicates, state.scan.rows) + config.duplicateTolerance) {
      violations.push({
        rule: 'duplicates',
        count: scan.duplicates,
        message: `${scan.duplicates} duplicate row(s) (${(100 * share(scan.duplicates, scan.rows)).toFixed(1)}%)`,
      });
    }
    return report(violations, scan, config.alpha);
  },
});

function report(violations: Violation[], scan: Scan | undefined, alpha: number) {
  const byColumn = new Map<string, Violation[]>();
  for (const v of violations) if (v.column) byColumn.set(v.column, [...(byColumn.get(v.column) ?? []), v]);
  const perFeature: FeatureReport[] = [...byColumn].map(([name, vs]) => ({
    name,
    score: vs.length,
    alarm: true,
    test: vs.map((v) => v.rule).join(','),
  }));
  return {
    plugin: 'integrity',
    alarm: violations.length > 0,
    score: violations.length,
    threshold: 0,
    perFeature,
    details: {
      violations,
      alpha,
      ...(scan
        ? {
            rows: scan.rows,
            duplicates: scan.duplicates,
            duplicatesEstimated: scan.duplicatesEstimated,
            columns: scan.columns,
          }
        : {}),
    },
  };
}
