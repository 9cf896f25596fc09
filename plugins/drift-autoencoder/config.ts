import { z } from 'zod';

/** Config of the drift-autoencoder checker; every field but `model` has a default. */
export const AutoencoderConfigSchema = z.object({
  /** Path of the ONNX autoencoder (activities put a downloaded artifact here). fit copies it into the state. */
  model: z.string().min(1).optional(),
  /** Tolerated false-alarm rate of the combined test. */
  alpha: z.number().gt(0).lt(1).default(0.01),
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
  /** CSV only: the numeric columns fed to the model, in this order (default: every numeric column). */
  columns: z.array(z.string()).optional(),
  /** Rows per inference call. */
  batchRows: z.number().int().min(1).default(8192),
  /** ONNX Runtime intra-op threads, on the inference thread; reading and the error arithmetic run on the calling thread beside them. */
  threads: z.number().int().min(1).default(1),
  inputName: z.string().optional(),
  outputName: z.string().optional(),
});

export type AutoencoderConfig = z.output<typeof AutoencoderConfigSchema>;
