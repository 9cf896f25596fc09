import { z } from 'zod';
import type { Dataset } from '../lib/data/dataset.js';

/**
 * The checker plugin API. A checker looks at a batch of data (optionally against a reference,
 * through a state fitted on it) and says whether it drifted. Built-ins, user modules and
 * container images all produce the same report.
 */

export const FeatureReportSchema = z.object({
  name: z.string(),
  /** The feature's own score; greater is more drifted. */
  score: z.number(),
  /** The test's p-value, after the multiple-testing correction where the plugin applies one. */
  pValue: z.number().min(0).max(1).optional(),
  alarm: z.boolean().optional(),
  /** Which test or measure gave the score (ks, chi-square, error-ratio, …). */
  test: z.string().optional(),
});

/**
 * `ok`: tested, no alarm. `alarm`: a test or an assertion failed. `insufficient-data`: too few rows
 * (or values) for the plugin's tests to mean anything, so neither verdict is given; the report
 * names the minimum. Reports without a status (older container plugins) get `alarm` or `ok`.
 */
export const CHECK_STATUSES = ['ok', 'alarm', 'insufficient-data'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

const ReportFields = z.object({
  plugin: z.string().min(1),
  status: z.enum(CHECK_STATUSES).optional(),
  alarm: z.boolean(),
  /** Greater is worse; the built-ins alarm exactly when score > threshold. */
  score: z.number(),
  threshold: z.number(),
  pValue: z.number().min(0).max(1).optional(),
  perFeature: z.array(FeatureReportSchema).optional(),
  details: z.record(z.string(), z.unknown()),
});

export const CheckReportSchema = ReportFields.refine(
  (r) => r.status === undefined || r.alarm === (r.status === 'alarm'),
  { message: 'alarm must be true exactly when status is "alarm"', path: ['status'] },
).transform((r) => ({ ...r, status: r.status ?? (r.alarm ? 'alarm' : 'ok') }));

export type FeatureReport = z.infer<typeof FeatureReportSchema>;
/** A report as stored and passed on: `status` always set. */
export type CheckReport = z.output<typeof CheckReportSchema>;
/** A report as a plugin returns it (`status` may be left out). */
export type CheckReportInput = z.input<typeof CheckReportSchema>;

/** The fewest rows a plugin's tests need, in the batch and in the reference. */
export interface MinimumRows {
  batch: number;
  reference: number;
}

/** What a plugin may use besides its data and config. */
export interface CheckContext {
  /** The reference data, when the caller gave one (plugins without `fit` compare against it directly). */
  reference?: Dataset;
  /** Called now and then with rows done, so a long check can heartbeat. */
  progress(rows: number): void;
  log(message: string): void;
}

/**
 * A checker plugin: a module whose default export (or the module itself) has these members.
 * `fit` returns a state that is JSON-serialisable, with typed arrays and Uint8Arrays allowed
 * anywhere in it (they are stored as binary parts beside the JSON).
 */
export interface CheckerPlugin<C = unknown, S = unknown> {
  readonly name: string;
  readonly version: string;
  /** Validates and defaults the config; `fit` and `check` receive its output. */
  readonly configSchema: z.ZodType<C>;
  /** Below these row counts the plugin answers `insufficient-data` instead of a verdict. */
  readonly minRows?: MinimumRows;
  fit?(reference: Dataset, config: C, ctx: CheckContext): Promise<S>;
  check(batch: Dataset, state: S | undefined, config: C, ctx: CheckContext): Promise<CheckReportInput>;
}

/** Types a plugin's config and state from its schema; returns the plugin unchanged. */
export function defineChecker<Schema extends z.ZodType, S = undefined>(plugin: {
  name: string;
  version: string;
  configSchema: Schema;
  minRows?: MinimumRows;
  fit?(reference: Dataset, config: z.output<Schema>, ctx: CheckContext): Promise<S>;
  check(batch: Dataset, state: S | undefined, config: z.output<Schema>, ctx: CheckContext): Promise<CheckReportInput>;
}): CheckerPlugin<z.output<Schema>, S> {
  return plugin as CheckerPlugin<z.output<Schema>, S>;
}

/** A context that ignores progress and logs nowhere: for tests and scripts. */
export function quietContext(reference?: Dataset): CheckContext {
  return { reference, progress: () => undefined, log: () => undefined };
}

/** -log10(p): the score the built-ins report, so that score > -log10(alpha) exactly when p < alpha. */
export function surprise(p: number): number {
  return -Math.log10(Math.max(p, 1e-300));
}

/**
 * The report of a check that had too few rows to test: no alarm, no p-value, and the minimum
 * named, so that a thin batch never reads as a confident "no alarm".
 */
export function insufficientData(
  plugin: string,
  alpha: number,
  counts: { batchRows: number; referenceRows: number; minRows: MinimumRows; what?: string },
  details: Record<string, unknown> = {},
): CheckReport {
  const { batchRows, referenceRows, minRows } = counts;
  const reasons: string[] = [];
  const what = counts.what ?? 'rows';
  if (batchRows < minRows.batch)
    reasons.push(`the batch has ${batchRows} ${what}; ${plugin} needs at least ${minRows.batch}`);
  if (referenceRows < minRows.reference)
    reasons.push(`the reference has ${referenceRows} ${what}; ${plugin} needs at least ${minRows.reference}`);
  return {
    plugin,
    status: 'insufficient-data',
    alarm: false,
    score: 0,
    threshold: surprise(alpha),
    details: {
      ...details,
      insufficientData: reasons.join('; '),
      rows: batchRows,
      referenceRows,
      minBatchRows: minRows.batch,
      minReferenceRows: minRows.reference,
    },
  };
}

/** Whether counts fall below a plugin's minimum. */
export function belowMinimum(batchRows: number, referenceRows: number, minRows: MinimumRows): boolean {
  return batchRows < minRows.batch || referenceRows < minRows.reference;
}
