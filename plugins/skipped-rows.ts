import { shareIncreaseTest } from '../lib/stats/hypergeometric.js';

/**
 * The data-quality rule of the checkers that leave incomplete rows out (drift-autoencoder,
 * mmd-drift): a batch whose share of skipped rows is above the user's bound and significantly
 * above the reference's (Fisher's exact test) alarms, so that a batch that is a third NaN never
 * reads as a quiet "no alarm". It joins the checker's other tests in a Bonferroni family of
 * `family` tests, unless no row of either sample was skipped: then it cannot reject, and Tarone
 * leaves it out of the family.
 */
export interface SkippedRowsRule {
  /** Whether the rule is in the Bonferroni family (some row of either sample was skipped). */
  inFamily: boolean;
  /** Its p-value: Fisher's when the share is above the bound, 1 otherwise. */
  pValue: number;
  details: {
    skippedRows: number;
    skippedShare: number;
    referenceSkippedShare: number;
    maxSkippedShare: number;
    skippedPValue: number;
    alarm: boolean;
  };
}

export function skippedRowsRule(
  batch: { skipped: number; rows: number },
  reference: { skipped: number; rows: number },
  opts: { maxSkippedShare: number; alpha: number; family: number },
): SkippedRowsRule {
  const share = batch.skipped / Math.max(1, batch.rows);
  const test = shareIncreaseTest(batch.skipped, batch.rows, reference.skipped, reference.rows);
  const inFamily = test.minPValue <= opts.alpha / opts.family;
  const pValue = inFamily && share > opts.maxSkippedShare ? test.pValue : 1;
  return {
    inFamily,
    pValue,
    details: {
      skippedRows: batch.skipped,
      skippedShare: share,
      referenceSkippedShare: reference.skipped / Math.max(1, reference.rows),
      maxSkippedShare: opts.maxSkippedShare,
      skippedPValue: test.pValue,
      alarm: opts.family * pValue < opts.alpha,
    },
  };
}
