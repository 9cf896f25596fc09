import { z } from 'zod';
import { ColumnSelectionFields } from '../columns.js';

/** Config of the mmd-drift checker (every field has a default). */
export const MmdConfigSchema = z
  .object({
    /**
     * False-alarm rate: Bonferroni over the permutation test and the skipped-rows test (each at
     * alpha/2; the permutation test alone when no row of either sample was skipped). With the
     * default 200 permutations the smallest p-value is 1/201, below alpha/2 = 0.005.
     */
    alpha: z.number().gt(0).lt(1).default(0.01),
    /** Numeric columns to use (default: all), and columns to leave out (an id, a label). */
    ...ColumnSelectionFields,
    /** Reference rows kept at fit (a uniform sample beyond this). */
    referenceSample: z.number().int().min(20).default(2000),
    /** Batch rows used (a uniform sample beyond this). */
    batchSample: z.number().int().min(20).default(2000),
    /** Random Fourier features approximating the Gaussian kernel (half cosines, half sines). */
    features: z.number().int().min(16).max(4096).default(128),
    /** Most label permutations of the permutation test; it stops early once its p-value is clearly above alpha. */
    permutations: z.number().int().min(19).default(200),
    /** Kernel bandwidth in units of the standardized features (default: the median pairwise distance). */
    bandwidth: z.number().positive().optional(),
    /** As drift-autoencoder: a skipped share (rows with NaN, Inf or a missing cell) above this and above the reference's is a data-quality alarm. */
    maxSkippedShare: z.number().min(0).max(1).default(0.01),
    seed: z.number().int().default(0),
  })
  .strict();

export type MmdConfig = z.output<typeof MmdConfigSchema>;
