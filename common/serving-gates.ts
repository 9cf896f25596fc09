import {
  LATENCY_BUCKETS_MS,
  type GateReading,
  type Gates,
  type MetricsSnapshot,
  type VersionCounters,
} from './serving.js';

const EMPTY: VersionCounters = { requests: 0, errors: 0, latency: [] };

/**
 * What a version did between two snapshots. Counters restart from zero when the proxy or the
 * sampler restarts; a counter that went down is taken as restarted, so its value now is the delta.
 */
export function countersBetween(
  before: VersionCounters | undefined,
  after: VersionCounters | undefined,
): VersionCounters {
  const a = after ?? EMPTY;
  const b = before ?? EMPTY;
  const restarted =
    a.requests < b.requests ||
    a.errors < b.errors ||
    (a.latency[a.latency.length - 1] ?? 0) < (b.latency[b.latency.length - 1] ?? 0);
  if (restarted) return a;
  return {
    requests: a.requests - b.requests,
    errors: a.errors - b.errors,
    latency: a.latency.map((n, i) => n - (b.latency[i] ?? 0)),
  };
}

/** The q-quantile (0..1) of a cumulative histogram over LATENCY_BUCKETS_MS (+Inf last), as the bound of its bucket; undefined when empty. */
export function quantileMs(cumulative: number[], q: number): number | undefined {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  for (let i = 0; i < cumulative.length; i++) {
    if (cumulative[i]! >= rank) return LATENCY_BUCKETS_MS[i] ?? Number.POSITIVE_INFINITY;
  }
  return Number.POSITIVE_INFINITY;
}

function summary(c: VersionCounters): { requests: number; errorRate: number; p99Ms?: number } {
  return {
    requests: c.requests,
    errorRate: c.requests ? c.errors / c.requests : 0,
    p99Ms: quantileMs(c.latency, 0.99),
  };
}

export interface GateInput {
  step: number;
  weight: number;
  gates: Gates;
  canary: string;
  stable?: string;
  baseline: MetricsSnapshot;
  now: MetricsSnapshot;
  /** The stable version's reading from an earlier step, used when it had no traffic in this one (at 100%). */
  stableBefore?: GateReading['stable'];
  probe?: GateReading['probe'];
}

/**
 * Judges one canary step: the canary's error rate against the stable version's (plus a margin),
 * its p99 latency against the stable version's (a ratio plus a slack), and the probe's answers.
 * Pure, so the workflow decides deterministically from the readings its activities returned.
 */
export function evaluateGates(input: GateInput): GateReading {
  const { gates } = input;
  const canary = summary(countersBetween(input.baseline.versions[input.canary], input.now.versions[input.canary]));
  const measuredStable =
    input.stable !== undefined
      ? summary(countersBetween(input.baseline.versions[input.stable], input.now.versions[input.stable]))
      : undefined;
  const stable =
    measuredStable && measuredStable.requests > 0 ? measuredStable : (input.stableBefore ?? measuredStable);
  const reasons: string[] = [];
  const reading: GateReading = {
    step: input.step,
    weight: input.weight,
    at: input.now.at,
    canary,
    stable,
    probe: input.probe,
    passed: true,
    reasons,
  };
  if (input.probe) {
    if (input.probe.answered < input.probe.rows)
      reasons.push(`the canary answered ${input.probe.answered} of ${input.probe.rows} probe rows`);
    const min = gates.probe?.minAccuracy;
    if (input.probe.accuracy !== undefined && min !== undefined && input.probe.accuracy < min)
      reasons.push(`probe accuracy ${input.probe.accuracy.toFixed(3)} is below ${min}`);
  }
  if (canary.requests > 0) {
    const allowed = (stable?.requests ? stable.errorRate : 0) + gates.maxErrorRateIncrease;
    if (canary.errorRate > allowed)
      reasons.push(
        `error rate ${(canary.errorRate * 100).toFixed(1)}% over ${canary.requests} requests exceeds ${(allowed * 100).toFixed(1)}% (the stable version's ${stable?.requests ? (stable.errorRate * 100).toFixed(1) : '0.0'}% + ${(gates.maxErrorRateIncrease * 100).toFixed(1)} points)`,
      );
    if (canary.p99Ms !== undefined && stable?.p99Ms !== undefined) {
      const limit = stable.p99Ms * gates.maxP99Ratio + gates.p99SlackMs;
      if (canary.p99Ms > limit)
        reasons.push(
          `p99 latency ${canary.p99Ms} ms exceeds ${limit.toFixed(1)} ms (${gates.maxP99Ratio}× the stable version's ${stable.p99Ms} ms + ${gates.p99SlackMs} ms)`,
        );
    }
  }
  if (reasons.length > 0) reading.passed = false;
  else if (canary.requests < gates.minRequests) {
    reading.passed = false;
    reading.insufficient = true;
    reasons.push(`the canary answered ${canary.requests} requests, fewer than the ${gates.minRequests} a step needs`);
  }
  return reading;
}
