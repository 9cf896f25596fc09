import type { StepState, StepStateName } from '../../common/messages.js';

/**
 * Steps a pipeline's result (or its failure's details) lists one by one. A run holds up to about
 * 1,300 steps before it continues as new, some 650 bytes each: listed in full, a large run's
 * result passes the 512 KB Temporal warns about. The `status` query lists them all while a
 * worker answers it; the result lists the first RESULT_MAX_STEPS and counts the rest.
 */
export const RESULT_MAX_STEPS = 300;

/** Which steps go first when some must be left out: the ones someone will ask about. */
const RANK: Record<StepStateName, number> = {
  failed: 0,
  cancelled: 1,
  skipped: 2,
  running: 3,
  pending: 4,
  succeeded: 5,
  cached: 6,
};

export interface ResultSteps {
  steps: StepState[];
  /** Steps of this run left out of `steps` (none when absent). */
  stepsOmitted?: number;
}

/** At most RESULT_MAX_STEPS of `all`, failed ones first, in their run order. */
export function resultSteps(all: StepState[]): ResultSteps {
  if (all.length <= RESULT_MAX_STEPS) return { steps: all };
  const kept = new Set(
    all
      .map((s, i) => [RANK[s.state], i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .slice(0, RESULT_MAX_STEPS)
      .map(([, i]) => i),
  );
  return { steps: all.filter((_, i) => kept.has(i)), stepsOmitted: all.length - RESULT_MAX_STEPS };
}

/**
 * Steps by how they ended: this run's counts (which its state keeps as steps change) and the
 * earlier runs' together, states with none left out.
 */
export function stepCounts(
  current: Readonly<Record<StepStateName, number>>,
  earlier: Partial<Record<StepStateName, number>> = {},
): Partial<Record<StepStateName, number>> {
  const counts = { ...earlier };
  for (const [state, n] of Object.entries(current) as [StepStateName, number][])
    if (n) counts[state] = (counts[state] ?? 0) + n;
  return counts;
}
