import { z } from 'zod';

export const IntegrityConfigSchema = z.object({
  /** False-alarm rate of the out-of-range test, Holm-corrected over numeric columns. */
  alpha: z.number().gt(0).lt(1).default(0.01),
  /** Allowed rise of a column's missing share over the reference's. */
  missingTolerance: z.number().min(0).max(1).default(0.01),
  /** Allowed rise of the duplicate-row share over the reference's. */
  duplicateTolerance: z.number().min(0).max(1).default(0.01),
  /**
   * A value further than this many reference ranges outside [min, max] is a violation by itself
   * (a unit or sensor error), whatever the test says.
   */
  rangeMargin: z.number().min(0).default(1),
  /** Allow NaN and ±Inf in columns where the reference had none. */
  allowNonFinite: z.boolean().default(false),
  /** Allow columns the reference did not have. */
  allowExtraColumns: z.boolean().default(false),
  /** Row hashes kept for duplicate detection before it falls back to a hash-sampled estimate. */
  maxTrackedRows: z.number().int().min(1000).default(2_000_000),
});

export type IntegrityConfig = z.output<typeof IntegrityConfigSchema>;
