import type { Decision, GateReading } from '../../common/serving.js';
import type { MlflowMetric } from '../../lib/mlflow/mlflow-client.js';
import type { TidemarkDeps } from '../deps.js';

export interface RecordDecisionInput {
  deployment: string;
  model: string;
  /** The rollout's number within the deployment. */
  rollout: number;
  decision: Decision;
  from?: string;
  to: string;
  steps: number[];
  dwellMs: number;
  readings: GateReading[];
  startedAt: number;
}

/**
 * One MLflow run per rollout in the experiment `serving-<model>`, with every gate reading as
 * metrics by step and the decision and its reason as tags, and the decision on the model version's
 * tags. A retry finds the run it made (by its tags) instead of making a second.
 */
export async function recordDecision(deps: TidemarkDeps, input: RecordDecisionInput): Promise<{ runId: string }> {
  const { mlflow } = deps;
  const experimentId = await mlflow.ensureExperiment(`serving-${input.model}`, { 'tidemark.serving': input.model });
  const identity = { 'tidemark.deployment': input.deployment, 'tidemark.rollout': String(input.rollout) };
  const filter = Object.entries(identity)
    .map(([k, v]) => `tags.\`${k}\` = '${v.replace(/'/g, "\\'")}'`)
    .join(' and ');
  const found = (await mlflow.searchRuns({ experimentIds: [experimentId], filter, maxResults: 1 }))[0];
  const runId =
    found?.info.run_id ??
    (
      await mlflow.createRun({
        experimentId,
        runName: `v${input.to} ${input.decision.kind}`,
        startTime: input.startedAt,
        tags: {
          ...identity,
          'tidemark.decision': input.decision.kind,
          'tidemark.reason': (input.decision.reason ?? '').slice(0, 4000),
          'mlflow.note.content': `${input.decision.kind} v${input.to}${input.from ? ` (stable was v${input.from})` : ''}: ${input.decision.reason ?? ''}`,
        },
      })
    ).info.run_id;
  if (!found) {
    const metrics: MlflowMetric[] = [];
    for (const r of input.readings) {
      const m = (key: string, value: number | undefined) => {
        if (value !== undefined && Number.isFinite(value)) metrics.push({ key, value, timestamp: r.at, step: r.step });
      };
      m('weight', r.weight);
      m('canary_requests', r.canary.requests);
      m('canary_error_rate', r.canary.errorRate);
      m('canary_p99_ms', r.canary.p99Ms);
      m('stable_requests', r.stable?.requests);
      m('stable_error_rate', r.stable?.errorRate);
      m('stable_p99_ms', r.stable?.p99Ms);
      m('probe_accuracy', r.probe?.accuracy);
      m('passed', r.passed ? 1 : 0);
    }
    await mlflow.logBatch(runId, {
      metrics,
      params: [
        { key: 'model', value: input.model },
        { key: 'version', value: input.to },
        { key: 'stable_version', value: input.from ?? '' },
        { key: 'canary_steps', value: input.steps.join(',') },
        { key: 'dwell_ms', value: String(input.dwellMs) },
      ],
    });
    await mlflow.updateRun(runId, input.decision.kind === 'rolled-back' ? 'FAILED' : 'FINISHED', input.decision.at);
  }
  await mlflow.setModelVersionTag(input.model, input.to, 'tidemark.serving.decision', input.decision.kind);
  await mlflow.setModelVersionTag(
    input.model,
    input.to,
    'tidemark.serving.reason',
    (input.decision.reason ?? '').slice(0, 4000),
  );
  await mlflow.setModelVersionTag(input.model, input.to, 'tidemark.serving.run_id', runId);
  return { runId };
}
