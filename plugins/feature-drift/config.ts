import { z } from 'zod';
import { ColumnSelectionFields } from '../columns.js';

export const FeatureDriftConfigSchema = z
  .object({
    /**
     * Family-wise (Holm) or false-discovery (BH) rate over all the tests: per column a distribution
     * test (KS or chi-square) and a missing-share test, and the class-balance test.
     */
    alpha: z.number().gt(0).lt(1).default(0.01),
    correction: z.enum(['holm', 'bh']).default('holm'),
    /** Columns to test (default: every column but the label), and columns to leave out. */
    ...ColumnSelectionFields,
    /** Columns read as categorical even though their values are numbers (integer-coded categories). */
    categorical: z.array(z.string()).default([]),
    /** A label column whose class balance is tested. */
    labelColumn: z.string().optional(),
    /**
     * Known class proportions (label → share): the class balance is then tested by chi-square
     * goodness of fit against them. Without them it is compared with the reference's own counts by
     * the chi-square homogeneity test, which accounts for the reference being a sample too.
     */
    classProportions: z.record(z.string(), z.number().nonnegative()).optional(),
    /** Values kept per numeric feature (a uniform sample beyond this) for the KS tests. */
    sampleSize: z.number().int().min(50).default(5000),
    /** Quantile bins of the reference for PSI on numeric features. */
    psiBins: z.number().int().min(2).max(100).default(10),
    /** When set, a feature whose PSI exceeds it alarms too. */
    psiThreshold: z.number().positive().optional(),
    /**
     * An assertion, off by default: alarm when a categorical feature or the label shows a level the
     * reference never had, even once. (Rare levels of the population turn up this way in i.i.d.
     * batches; the chi-square test counts a new level's share without this.)
     */
    alarmOnNewLevels: z.boolean().default(false),
  })
  .strict();

export type FeatureDriftConfig = z.output<typeof FeatureDriftConfigSchema>;
