import padjust from '@stdlib/stats-padjust';

/**
 * Holm's step-down correction over the tests that can reach significance, chosen by Tarone's
 * rule for discrete tests. A discrete test (Fisher's exact test of a share, say) has a smallest
 * p-value it can reach given the pooled counts; a column with no missing cell in either sample
 * cannot reach anything. Counting such tests in the family only lowers every other test's level,
 * so Tarone takes the smallest K for which at most K tests can reach alpha/K and corrects over
 * those. The smallest reachable p-values depend on pooled counts only, which do not change when
 * rows move between reference and batch, so the family-wise error rate stays at most alpha
 * (Tarone 1990; Hommel & Krummenauer 1998 for the step-down form).
 */
export interface FamilyTest {
  pValue: number;
  /** The smallest p-value the test could give with these pooled counts (0 when unknown: always kept). */
  minPValue: number;
}

export interface FamilyResult {
  /** Holm-adjusted p-value of each test; 1 for tests outside the family. */
  adjusted: number[];
  /** Whether each test is in the family. */
  inFamily: boolean[];
  /** How many tests the correction is over. */
  size: number;
}

export function taroneHolm(tests: readonly FamilyTest[], alpha: number): FamilyResult {
  let k = 1;
  const reachable = (level: number) => tests.filter((t) => t.minPValue <= level).length;
  while (k < tests.length && reachable(alpha / k) > k) k++;
  const inFamily = tests.map((t) => t.minPValue <= alpha / k);
  const members = tests.filter((_, i) => inFamily[i]);
  const adjustedMembers = members.length
    ? padjust(
        members.map((t) => t.pValue),
        'holm',
      )
    : [];
  let j = 0;
  const adjusted = tests.map((_, i) => (inFamily[i] ? adjustedMembers[j++]! : 1));
  return { adjusted, inFamily, size: members.length };
}
