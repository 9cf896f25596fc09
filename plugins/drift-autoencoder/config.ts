import { z } from 'zod';
import { ColumnSelectionFields } from '../columns.js';

/** Config of the drift-autoencoder checker; every field but `model` has a default. */
export const AutoencoderConfigSchema = z
  .object({
    /** Path of the ONNX autoencoder (activities put a downloaded artifact here). fit copies it into the state. */
    model: z.string().min(1).optional(),
    /**
     * Tolerated false-alarm rate of the combined test: Bonferroni over the exceedance test, the KS
     * test and the skipped-rows test (each at alpha/3).
     */
    alpha: z.number().gt(0).lt(1).default(0.01),
    /**
     * Rows with NaN or Inf cannot be scored and are left out. A batch whose skipped share is above
     * this bound and significantly above the reference's (Fisher's exact test) is a data-quality
     * alarm, so that a batch that is a third NaN never reads as "no alarm".
     */
    maxSkippedShare: z.number().min(0).max(1).default(0.01),
    /** The reference quantile whose exceedances are counted (0.99: the p99). */
    quantile: z.number().gt(0.5).lt(1).default(0.99),
    /** Reference errors kept (a uniform sample beyond this) for the KS test and the threshold. */
    referenceSample: z.number().int().min(50).default(20_000),
    /** Batch errors kept for the KS test and the plot. */
    batchSample: z.number().int().min(50).default(20_000),
    /** How many of the most anomalous batch rows to name (for active learning). */
    topK: z.number().int().min(0).max(10_000).default(20),
    /** Features listed in `perFeature`, most drifted first. */
    maxFeatures: z.number().int().min(1).default(50),
    /**
     * Per-feature scaling of residuals before squaring: `std` divides by the reference's standard
     * deviation (so a feature in thousands does not drown the rest), `none` keeps raw units.
     * `auto` is `std` for tabular rows and `none` for images (N-D arrays).
     */
    scale: z.enum(['auto', 'std', 'none']).default('auto'),
    /**
     * CSV only: `columns` are the numeric columns fed to the model, in this order (default: every
     * numeric column but those in `ignore`).
     */
    ...ColumnSelectionFields,
    /** Rows per inference call. */
    batchRows: z.number().int().min(1).default(8192),
    /** ONNX Runtime intra-op threads, on the inference thread; reading and the error arithmetic run on the calling thread beside them. */
    threads: z.number().int().min(1).default(1),
    inputName: z.string().optional(),
    outputName: z.string().optional(),
  })
  .strict();

export type AutoencoderConfig = z.output<typeof AutoencoderConfigSchema>;
