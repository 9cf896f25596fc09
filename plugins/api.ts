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

export const CheckReportSchema = z.object({
  plugin: z.string().min(1),
  alarm: z.boolean(),
  /** Greater is worse; the built-ins alarm exactly when score > threshold. */
  score: z.number(),
  threshold: z.number(),
  pValue: z.number().min(0).max(1).optional(),
  perFeature: z.array(FeatureReportSchema).optional(),
  details: z.record(z.string(), z.unknown()),
});

export type FeatureReport = z.infer<typeof FeatureReportSchema>;
export type CheckReport = z.infer<typeof CheckReportSchema>;

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
  fit?(reference: Dataset, config: C, ctx: CheckContext): Promise<S>;
  check(batch: Dataset, state: S | undefined, config: C, ctx: CheckContext): Promise<CheckReport>;
}

/** Types a plugin's config and state from its schema; returns the plugin unchanged. */
export function defineChecker<Schema extends z.ZodType, S = undefined>(plugin: {
  name: string;
  version: string;
  configSchema: Schema;
  fit?(reference: Dataset, config: z.output<Schema>, ctx: CheckContext): Promise<S>;
  check(batch: Dataset, state: S | undefined, config: z.output<Schema>, ctx: CheckContext): Promise<CheckReport>;
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
