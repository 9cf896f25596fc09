import type {
  Decision,
  DeploymentOptions,
  DeploymentStatus,
  GateReading,
  MetricsSnapshot,
  ResolvedModel,
  ServedVersion,
  ServingStateName,
} from '../../common/serving.js';

/** The loopback ports of a deployment's proxy (requests, stats and /metrics) and sampler (UDP log, /metrics). */
export interface ServingPorts {
  proxy: number;
  stats: number;
  log: number;
  sampler: number;
}

export interface Rollout {
  id: number;
  canary: ServedVersion;
  steps: number[];
  stepIndex: number;
  dwellMs: number;
  /** When the current step started (workflow time, ms); with `paused`, how much of its dwell was left. */
  stepStartedAt: number;
  remainingMs?: number;
  paused: boolean;
  /** Counters at the start of the step, against which the gates measure. */
  baseline?: MetricsSnapshot;
  /** Times the step was extended for want of canary requests. */
  extensions: number;
  readings: GateReading[];
}

export type Command =
  | { id: number; kind: 'promote' }
  | { id: number; kind: 'rollback'; reason: string }
  | { id: number; kind: 'pause' }
  | { id: number; kind: 'resume' }
  | { id: number; kind: 'stop' };

/** Everything a deployment carries across continue-as-new: small refs and numbers, never data. */
export interface DeploymentState {
  ports?: ServingPorts;
  stable?: ServedVersion;
  rollout?: Rollout;
  rollingBack: boolean;
  pendingDeploy?: { model: ResolvedModel; steps: number[]; dwellMs: number };
  commands: Command[];
  /** Ids of commands handled (the highest), so updates waiting on them return. */
  handled: number;
  nextCommand: number;
  rollouts: number;
  decisions: Decision[];
  monitorStarted: boolean;
  driftAlarm: boolean;
  stopped: boolean;
}

export const DECISIONS_KEPT = 50;

export function initialState(): DeploymentState {
  return {
    rollingBack: false,
    commands: [],
    handled: 0,
    nextCommand: 1,
    rollouts: 0,
    decisions: [],
    monitorStarted: false,
    driftAlarm: false,
    stopped: false,
  };
}

export const serverName = (version: string) => `v${version}`;

/** The canary's share of traffic now (0 without a rollout). */
export function canaryWeight(s: DeploymentState): number {
  return s.rollout ? s.rollout.steps[s.rollout.stepIndex]! : 0;
}

export function stateName(s: DeploymentState): ServingStateName {
  if (s.stopped) return 'stopped';
  if (s.rollingBack) return 'rolling-back';
  if (s.rollout?.paused) return 'paused';
  if (s.rollout) return 'canary';
  return s.stable ? 'stable' : 'empty';
}

/** The servers and weights the proxy should have: the stable version and the canary, by the rollout's step. */
export function wantedServers(
  s: DeploymentState,
  override?: { canary: number },
): (ServedVersion & { weight: number })[] {
  const w = override?.canary ?? canaryWeight(s);
  const out: (ServedVersion & { weight: number })[] = [];
  if (s.stable) out.push({ ...s.stable, weight: 100 - (s.rollout ? w : 0) });
  if (s.rollout) out.push({ ...s.rollout.canary, weight: w });
  return out;
}

export function record(s: DeploymentState, d: Decision): void {
  s.decisions.push(d);
  if (s.decisions.length > DECISIONS_KEPT) s.decisions.splice(0, s.decisions.length - DECISIONS_KEPT);
}

export function statusOf(
  model: string,
  s: DeploymentState,
  options: DeploymentOptions,
  monitorWorkflowId?: string,
): DeploymentStatus {
  const weights: Record<string, number> = {};
  for (const v of wantedServers(s)) weights[v.version] = v.weight;
  const r = s.rollout;
  return {
    model,
    state: stateName(s),
    endpoint: s.ports ? `http://127.0.0.1:${s.ports.proxy}` : undefined,
    metrics: s.ports
      ? [`http://127.0.0.1:${s.ports.stats}/metrics`, `http://127.0.0.1:${s.ports.sampler}/metrics`]
      : undefined,
    stable: s.stable,
    canary: r?.canary,
    weights,
    rollout: r
      ? {
          version: r.canary.version,
          steps: r.steps,
          stepIndex: r.stepIndex,
          dwellMs: r.dwellMs,
          stepStartedAt: r.stepStartedAt,
          paused: r.paused,
        }
      : undefined,
    gates: r?.readings ?? [],
    decisions: s.decisions,
    monitorWorkflowId: s.monitorStarted ? monitorWorkflowId : undefined,
    driftAlarm: s.driftAlarm,
    options,
  };
}
