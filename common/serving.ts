import { z } from 'zod';
import { parseDuration } from './duration.js';
import type { ArtifactRef } from './artifact.js';

/**
 * Model serving: what a `deployment` workflow is asked to do and what it reports. Pure types and
 * schemas, shared by the workflow, its activities, the client and the CLI.
 */

/** Milliseconds: a number is taken as ms; a string has a unit (`"90s"`, `"5m"`, `"2h"`; a bare string number is seconds). */
const Ms = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = typeof v === 'number' ? v : parseDuration(v);
  if (ms === undefined || ms < 0 || !Number.isFinite(ms)) {
    ctx.addIssue({
      code: 'custom',
      message: `"${v}" is not a duration; write e.g. 90s, 5m, 2h or a number of milliseconds`,
    });
    return z.NEVER;
  }
  return ms;
});

/** `name@alias` or `name/version`, as a user writes it. */
export type ModelRef =
  { name: string; alias: string; version?: undefined } | { name: string; version: string; alias?: undefined };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

/** Parses `digits@champion` or `digits/3`; undefined when it is neither. */
export function parseModelRef(text: string): ModelRef | undefined {
  const at = /^(.+)@([A-Za-z0-9_-]{1,255})$/.exec(text);
  if (at && NAME.test(at[1]!)) return { name: at[1]!, alias: at[2]! };
  const slash = /^(.+)\/(\d+)$/.exec(text);
  if (slash && NAME.test(slash[1]!)) return { name: slash[1]!, version: slash[2]! };
  return undefined;
}

export function formatModelRef(ref: ModelRef): string {
  return ref.alias !== undefined ? `${ref.name}@${ref.alias}` : `${ref.name}/${ref.version}`;
}

/** The workflow id of a model's deployment: one long-lived workflow per served model. */
export function deploymentWorkflowId(model: string): string {
  return `deployment-${model}`;
}

const percentSteps = z
  .array(z.number().int().min(1).max(100))
  .min(1)
  .refine((s) => s.every((v, i) => i === 0 || v > s[i - 1]!), { message: 'canary steps must increase' })
  .refine((s) => s[s.length - 1] === 100, { message: 'the last canary step must be 100' });

/** Gates every canary step must pass before traffic moves on. */
export const GatesSchema = z
  .object({
    /** The canary's error rate (4xx and 5xx answers) may exceed the stable version's by at most this much (0.02 = 2 points). */
    maxErrorRateIncrease: z.number().min(0).max(1).default(0.02),
    /** The canary's p99 latency may be at most this multiple of the stable version's… */
    maxP99Ratio: z.number().min(1).default(2),
    /** …plus this many milliseconds (so that a 3 ms stable p99 does not fail a 7 ms canary). */
    p99SlackMs: z.number().min(0).default(25),
    /** Requests the canary must have answered in a step before the step is judged; fewer extend the step (up to 10 dwells), then roll back. */
    minRequests: z.number().int().min(0).default(0),
    /** Optional check of the canary's predictions: rows sent to it at each step; it must answer every one, agreeing with `expected` in this share of rows. */
    probe: z
      .object({
        /** A CSV artifact of feature rows (and the `expected` column, if given). */
        rows: z.custom<ArtifactRef>((v) => typeof v === 'object' && v !== null && 'uri' in v),
        expected: z.string().optional(),
        minAccuracy: z.number().min(0).max(1).default(0.8),
      })
      .optional(),
  })
  .prefault({});
export type Gates = z.output<typeof GatesSchema>;

/** Live traffic sampled into batches for a `monitor` workflow. */
export const SamplingSchema = z
  .object({
    /** Share of /invocations requests sampled (0 = off). */
    rate: z.number().min(0).max(1).default(0),
    /** A batch is written when it has this many rows… */
    batchRows: z.number().int().min(1).default(500),
    /** …or this long after its first row (ms; `"30s"` in a spec). */
    batchMs: Ms.default(60_000),
  })
  .prefault({});
export type Sampling = z.output<typeof SamplingSchema>;

export const MonitorConfigSchema = z.object({
  /** Checkers run on each live batch, as in a `monitor` workflow. */
  checks: z
    .array(
      z.object({
        plugin: z.string().min(1),
        config: z.record(z.string(), z.unknown()).optional(),
        reference: z.custom<ArtifactRef>((v) => typeof v === 'object' && v !== null && 'uri' in v).optional(),
      }),
    )
    .min(1),
});

/** How a model is served and rolled out; every field has a default. */
export const DeploymentOptionsSchema = z
  .object({
    /** The registry alias that promotion moves to the new version. */
    alias: z.string().min(1).default('champion'),
    canary: percentSteps.default([10, 50, 100]),
    dwellMs: Ms.default(300_000),
    gates: GatesSchema,
    sampling: SamplingSchema,
    monitor: MonitorConfigSchema.optional(),
    /** Per model server container. */
    resources: z
      .object({
        cpus: z.number().positive().default(1),
        memoryMiB: z.number().int().positive().default(1024),
        /** uvicorn workers of MLflow's scoring server. */
        workers: z.number().int().min(1).max(16).default(1),
      })
      .prefault({}),
    /** How often the workflow compares the real proxy and containers with its own state and repairs them. */
    reconcileEveryMs: Ms.default(30_000),
    /** How long a version taken out of routing keeps answering requests in flight before it is stopped. */
    drainMs: Ms.default(2_000),
  })
  .prefault({});
export type DeploymentOptionsInput = z.input<typeof DeploymentOptionsSchema>;
export type DeploymentOptions = z.output<typeof DeploymentOptionsSchema>;

/** The `deploy` update's argument. */
export const DeployRequestSchema = z
  .object({
    /** `name@alias` or `name/version`. */
    model: z.string().refine((s) => parseModelRef(s) !== undefined, {
      message:
        'write the model as name@alias (e.g. digits-classifier@champion) or name/version (e.g. digits-classifier/3)',
    }),
    canary: percentSteps.optional(),
    dwellMs: Ms.optional(),
  })
  .strict();
export type DeployRequest = z.input<typeof DeployRequestSchema>;

/** A registry version resolved and checked: what a model server is started from. */
export interface ResolvedModel {
  name: string;
  version: string;
  /** Where the MLflow Model folder lives (s3://… under MLflow's artifact root). */
  source: string;
  /** The MLmodel's flavors (python_function, sklearn, onnx, …). */
  flavors: string[];
  /** The alias it was asked by, if any. */
  alias?: string;
}

/** One version with a running model server. */
export interface ServedVersion extends ResolvedModel {
  /** The model server (a container name on Docker). */
  server: string;
  /** Its loopback port. */
  port: number;
}

/** Per-version counters at one moment (cumulative since the proxy or the sampler started). */
export interface VersionCounters {
  requests: number;
  errors: number;
  /** Cumulative latency histogram: counts of requests at or under each bound of LATENCY_BUCKETS_MS, then +Inf. */
  latency: number[];
}

export interface MetricsSnapshot {
  at: number;
  versions: Record<string, VersionCounters>;
}

/** Upper bounds (ms) of the latency histogram the sampler keeps per version. */
export const LATENCY_BUCKETS_MS = [
  1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 250, 500, 1000, 2500, 5000, 10000,
];

/** What one canary step measured and decided. */
export interface GateReading {
  step: number;
  weight: number;
  at: number;
  canary: { requests: number; errorRate: number; p99Ms?: number };
  stable?: { requests: number; errorRate: number; p99Ms?: number };
  probe?: { rows: number; answered: number; accuracy?: number };
  passed: boolean;
  /** Not enough canary requests to judge yet. */
  insufficient?: boolean;
  reasons: string[];
}

export type ServingStateName = 'empty' | 'stable' | 'canary' | 'rolling-back' | 'paused' | 'stopped';

export interface Decision {
  at: number;
  kind:
    'deployed' | 'step' | 'promoted' | 'rolled-back' | 'paused' | 'resumed' | 'reconciled' | 'drift-alarm' | 'stopped';
  version?: string;
  weight?: number;
  reason?: string;
}

export interface DeploymentStatus {
  model: string;
  state: ServingStateName;
  /** Where clients send requests (the proxy). */
  endpoint?: string;
  /** Prometheus text: HAProxy's exporter and the sampler's latency histograms. */
  metrics?: string[];
  stable?: ServedVersion;
  canary?: ServedVersion;
  weights: Record<string, number>;
  rollout?: {
    version: string;
    steps: number[];
    stepIndex: number;
    dwellMs: number;
    stepStartedAt: number;
    paused: boolean;
  };
  gates: GateReading[];
  decisions: Decision[];
  monitorWorkflowId?: string;
  driftAlarm: boolean;
  options: DeploymentOptions;
}
