import { z } from 'zod';
import { ColumnSelectionFields } from '../columns.js';

/**
 * Data-quality assertions about one column, each off unless set. They are not tests: any value
 * that breaks one is a violation, whatever the reference shows, so they never cost false alarms
 * on data that keeps them. Use them for what must hold (an id is never missing, a percentage
 * lies in [0, 100]), where a test would need many rows to notice a few bad values.
 */
export const ColumnAssertionSchema = z
  .object({
    /** No missing cells. */
    required: z.boolean().optional(),
    /** No NaN or ±Inf (numeric columns). */
    finite: z.boolean().optional(),
    /** Smallest and largest allowed value (numeric columns). */
    min: z.number().optional(),
    max: z.number().optional(),
    /** The only allowed levels (categorical columns). */
    levels: z.array(z.string()).min(1).optional(),
  })
  .strict();

export const IntegrityConfigSchema = z
  .object({
    /**
     * Family-wise false-alarm rate of all the integrity tests together (missing, non-numeric and
     * non-finite shares per column, values outside the reference range per numeric column),
     * shared by Holm's correction over the tests that can reach significance (Tarone).
     */
    alpha: z.number().gt(0).lt(1).default(0.01),
    ...ColumnSelectionFields,
    /**
     * A share that rose significantly must also have risen by at least this much to count (0:
     * any significant rise). Guards against alarms on tiny but real changes in huge batches.
     */
    minShareIncrease: z.number().min(0).max(1).default(0),
    /** Allow columns the reference did not have. */
    allowExtraColumns: z.boolean().default(false),
    /** Per-column data-quality assertions (see ColumnAssertionSchema); column names must exist. */
    assertions: z.record(z.string(), ColumnAssertionSchema).default({}),
    /** Assertion: at most this share of the batch's rows may repeat an earlier row (off by default). */
    maxDuplicateShare: z.number().min(0).max(1).optional(),
    /** Row hashes kept for duplicate detection before it falls back to a hash-sampled estimate. */
    maxTrackedRows: z.number().int().min(1000).default(2_000_000),
  })
  .strict();

export type IntegrityConfig = z.output<typeof IntegrityConfigSchema>;
export type ColumnAssertion = z.output<typeof ColumnAssertionSchema>;
