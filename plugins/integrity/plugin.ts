import { belowMinimum, defineChecker, insufficientData, surprise, type FeatureReport } from '../api.js';
import type { ColumnSpec, DataSchema, Dataset } from '../../lib/data/dataset.js';
import { CheckerStateError, EmptyDataError, PluginConfigError } from '../errors.js';
import { selectColumns } from '../columns.js';
import { exceedanceTest } from '../../lib/stats/exceedance-test.js';
import { hypergeometricUpperTail, shareIncreaseTest } from '../../lib/stats/hypergeometric.js';
import { taroneHolm } from '../../lib/stats/multiple-testing.js';
import { IntegrityConfigSchema, type IntegrityConfig } from './config.js';
import { finiteCount, scanDataset, type ColumnScan, type Scan } from './scan.js';

/**
 * integrity: is the batch well-formed compared with the reference? Two kinds of rule:
 *
 * - tests, with a false-alarm rate of at most alpha together: per column, has the share of
 *   missing cells, of cells that are not numbers, or of NaN/±Inf risen (Fisher's exact test), and
 *   do more finite values lie outside the reference's [min, max] than chance allows (an exact
 *   exceedance test: a new value falls outside m exchangeable values with probability 2/(m+1)).
 *   Holm's correction over the tests that can reach significance (Tarone) shares alpha.
 * - findings and assertions, which are not tests: a reference column missing from the batch, an
 *   extra column, another format or shape, and the per-column assertions the user turned on.
 */

export interface IntegrityState {
  schema: DataSchema;
  /** The columns checked (after `columns` and `ignore`). */
  columns: string[];
  scan: Scan;
}

type Rule = 'schema' | 'missing' | 'type' | 'non-finite' | 'range' | 'assertion' | 'duplicates';

interface Violation {
  rule: Rule;
  column?: string;
  count: number;
  message: string;
  /** Holm-adjusted p-value, for rules that are tests. */
  pValue?: number;
}

interface RuleTest {
  rule: Rule;
  column: string;
  count: number;
  pValue: number;
  minPValue: number;
  /** Batch share minus reference share (share tests), for minShareIncrease. */
  rise?: number;
  message: string;
}

const MIN_ROWS = { batch: 10, reference: 10 };
const pct = (count: number, rows: number) => `${((100 * count) / Math.max(rows, 1)).toFixed(1)}%`;
const fmtP = (p: number) => (p < 1e-3 ? p.toExponential(1) : p.toPrecision(2));

/** A share test of one property of a column (missing, not a number, non-finite). */
function shareTest(
  rule: Rule,
  column: string,
  what: string,
  counts: { batch: number; n: number; reference: number; m: number },
): RuleTest {
  const t = shareIncreaseTest(counts.batch, counts.n, counts.reference, counts.m);
  const pooled = counts.batch + counts.reference;
  return {
    rule,
    column,
    count: counts.batch,
    pValue: t.pValue,
    minPValue: hypergeometricUpperTail(Math.min(pooled, counts.n), counts.n + counts.m, pooled, counts.n),
    rise: counts.batch / Math.max(counts.n, 1) - counts.reference / Math.max(counts.m, 1),
    message: `"${column}" is ${pct(counts.batch, counts.n)} ${what} in the batch, ${pct(counts.reference, counts.m)} in the reference`,
  };
}

function columnTests(c: ColumnScan, r: ColumnScan, n: number, m: number): RuleTest[] {
  const tests = [shareTest('missing', c.name, 'missing', { batch: c.missing, n, reference: r.missing, m })];
  if (c.kind !== 'numeric') return tests;
  tests.push(
    shareTest('type', c.name, 'not numbers', { batch: c.invalid, n, reference: r.invalid, m }),
    shareTest('non-finite', c.name, 'NaN or ±Inf', { batch: c.nan + c.inf, n, reference: r.nan + r.inf, m }),
  );
  const finite = finiteCount(c, n);
  const refFinite = finiteCount(r, m);
  if (r.min !== null && refFinite >= 2 && finite > 0) {
    // Under "no change" a new value falls outside the reference's [min, max] with probability 2/(m+1).
    tests.push({
      rule: 'range',
      column: c.name,
      count: c.outOfRange,
      pValue: exceedanceTest(c.outOfRange, finite, 2, refFinite).pValue,
      minPValue: 0,
      message: `${c.outOfRange} of ${finite} values of "${c.name}" lie outside the reference range [${r.min}, ${r.max}] (about ${pct(2 * finite, refFinite + 1)} expected)`,
    });
  }
  return tests;
}

function assertionViolations(c: ColumnScan, config: IntegrityConfig): Violation[] {
  const a = config.assertions[c.name];
  if (!a) return [];
  const out: Violation[] = [];
  const add = (count: number, message: string) =>
    count > 0 && out.push({ rule: 'assertion', column: c.name, count, message });
  if (a.required) add(c.missing, `${c.missing} cell(s) of "${c.name}" are missing (asserted: required)`);
  if (a.finite) add(c.nan + c.inf, `"${c.name}" has ${c.nan} NaN and ${c.inf} ±Inf value(s) (asserted: finite)`);
  if (a.min !== undefined) add(c.belowMin, `${c.belowMin} value(s) of "${c.name}" are below ${a.min} (asserted: min)`);
  if (a.max !== undefined) add(c.aboveMax, `${c.aboveMax} value(s) of "${c.name}" are above ${a.max} (asserted: max)`);
  if (a.levels)
    add(
      c.unknownLevels,
      `${c.unknownLevels} value(s) of "${c.name}" are not one of ${a.levels.join(', ')} (asserted: levels)`,
    );
  return out;
}

/** The batch's schema against the reference's: findings, and the reference columns the batch has. */
async function compareSchemas(
  batch: Dataset,
  state: IntegrityState,
  config: IntegrityConfig,
): Promise<{ findings: Violation[]; present: ColumnSpec[] | undefined }> {
  const ref = state.schema;
  const got = await batch.schema();
  const chosen = ref.columns.filter((c) => state.columns.includes(c.name));
  if (got.format !== ref.format)
    return {
      findings: [{ rule: 'schema', count: 1, message: `the batch is ${got.format}, the reference was ${ref.format}` }],
      present: undefined,
    };
  if (ref.format === 'npy') {
    if (got.featureShape.join('x') !== ref.featureShape.join('x'))
      return {
        findings: [
          {
            rule: 'schema',
            count: 1,
            message: `rows have shape [${got.featureShape.join(', ')}], the reference's had [${ref.featureShape.join(', ')}]`,
          },
        ],
        present: undefined,
      };
    return { findings: [], present: chosen };
  }
  const header = await batch.header();
  const findings: Violation[] = chosen
    .filter((c) => !header.includes(c.name))
    .map((c) => ({
      rule: 'schema' as const,
      column: c.name,
      count: 1,
      message: `column "${c.name}" is missing from the batch`,
    }));
  const extra = header.filter((h) => !ref.columns.some((c) => c.name === h) && !config.ignore.includes(h));
  if (extra.length && !config.allowExtraColumns)
    findings.push({
      rule: 'schema',
      count: extra.length,
      message: `the batch has column(s) the reference did not: ${extra.join(', ')} (set allowExtraColumns, or ignore them)`,
    });
  return { findings, present: chosen.filter((c) => header.includes(c.name)) };
}

export const integrity = defineChecker({
  name: 'integrity',
  version: '2.0.0',
  configSchema: IntegrityConfigSchema,
  minRows: MIN_ROWS,

  async fit(reference, config, ctx): Promise<IntegrityState> {
    const schema = await reference.schema();
    const names = schema.columns.map((c) => c.name);
    const columns = selectColumns('integrity', names, config, reference.label);
    const unknown = Object.keys(config.assertions).filter((c) => !columns.includes(c));
    if (unknown.length)
      throw new PluginConfigError(
        `config of checker "integrity" has assertions for column(s) ${unknown.join(', ')}, which ${reference.label} does not have or which are not selected; columns are ${columns.join(', ')}`,
      );
    const selected = { ...schema, columns: schema.columns.filter((c) => columns.includes(c.name)) };
    const scan = await scanDataset(reference, selected, {
      maxTrackedRows: config.maxTrackedRows,
      progress: ctx.progress,
    });
    if (scan.rows === 0) throw new EmptyDataError(`${reference.label} has no rows`);
    return { schema, columns, scan };
  },

  async check(batch, state, config, ctx) {
    if (!state?.scan || !state.columns)
      throw new CheckerStateError('integrity needs the state that its fit (version 2) wrote');
    const { findings, present } = await compareSchemas(batch, state, config);
    if (!present) return report(findings, [], undefined, state, config);
    const schema: DataSchema = {
      ...state.schema,
      columns: present,
      featureShape:
        state.schema.format === 'npy'
          ? state.schema.featureShape
          : [present.filter((c) => c.kind === 'numeric').length],
    };
    const ranges = Object.fromEntries(state.scan.columns.map((c) => [c.name, { min: c.min, max: c.max }]));
    const scan = await scanDataset(batch, schema, {
      ranges,
      assertions: config.assertions,
      maxTrackedRows: config.maxTrackedRows,
      progress: ctx.progress,
    });
    if (scan.rows === 0) throw new EmptyDataError(`${batch.label} has no rows`);
    const refCol = new Map(state.scan.columns.map((c) => [c.name, c]));
    const tests = scan.columns.flatMap((c) => columnTests(c, refCol.get(c.name)!, scan.rows, state.scan.rows));
    const violations = [...findings, ...scan.columns.flatMap((c) => assertionViolations(c, config))];
    if (config.maxDuplicateShare !== undefined && scan.duplicates / scan.rows > config.maxDuplicateShare)
      violations.push({
        rule: 'duplicates',
        count: scan.duplicates,
        message: `${scan.duplicates} duplicate row(s) (${pct(scan.duplicates, scan.rows)}; asserted at most ${pct(config.maxDuplicateShare * 1000, 1000)})`,
      });
    return report(violations, tests, scan, state, config);
  },
});

function report(
  violations: Violation[],
  tests: RuleTest[],
  scan: Scan | undefined,
  state: IntegrityState,
  config: IntegrityConfig,
) {
  const family = taroneHolm(tests, config.alpha);
  tests.forEach((t, i) => {
    const p = family.adjusted[i]!;
    if (p < config.alpha && (t.rise === undefined || t.rise >= config.minShareIncrease))
      violations.push({
        rule: t.rule,
        column: t.column,
        count: t.count,
        pValue: p,
        message: `${t.message}; p = ${fmtP(p)} after Holm`,
      });
  });
  const byColumn = new Map<string, Violation[]>();
  for (const v of violations) if (v.column) byColumn.set(v.column, [...(byColumn.get(v.column) ?? []), v]);
  const perFeature: FeatureReport[] = [...byColumn].map(([name, vs]) => ({
    name,
    score: vs.length,
    alarm: true,
    test: vs.map((v) => v.rule).join(','),
    ...(vs.some((v) => v.pValue !== undefined) ? { pValue: Math.min(...vs.map((v) => v.pValue ?? 1)) } : {}),
  }));
  const minP = family.size ? Math.min(...family.adjusted) : 1;
  const details = {
    method: `${family.size} of ${tests.length} tests (per column: missing, non-numeric and non-finite shares by Fisher's exact test, values outside the reference range by an exceedance test) can reach significance (Tarone); Holm over those ${family.size} shares alpha = ${config.alpha}. Schema findings and assertions are not tests.`,
    alpha: config.alpha,
    familySize: family.size,
    violations,
    ...(scan
      ? {
          rows: scan.rows,
          referenceRows: state.scan.rows,
          duplicates: scan.duplicates,
          duplicatesEstimated: scan.duplicatesEstimated,
          columns: scan.columns,
          tests: tests.map((t, i) => ({
            rule: t.rule,
            column: t.column,
            count: t.count,
            pValue: t.pValue,
            adjustedPValue: family.adjusted[i],
            inFamily: family.inFamily[i],
          })),
        }
      : {}),
  };
  if (violations.length === 0 && scan && belowMinimum(scan.rows, state.scan.rows, MIN_ROWS))
    return insufficientData(
      'integrity',
      config.alpha,
      { batchRows: scan.rows, referenceRows: state.scan.rows, minRows: MIN_ROWS },
      details,
    );
  return {
    plugin: 'integrity',
    status: violations.length > 0 ? ('alarm' as const) : ('ok' as const),
    alarm: violations.length > 0,
    score: violations.length,
    threshold: 0,
    pValue: minP,
    perFeature,
    details: { ...details, surprise: surprise(minP) },
  };
}
