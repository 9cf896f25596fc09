import { strict as assert } from 'node:assert';
import { MlflowClient, type MlflowRun } from '../../lib/mlflow/mlflow-client.js';
import { testConfig } from './integration.js';

/**
 * The MLflow runs of one digits pipeline run: asserts the parent run and its four child runs
 * exist, and returns each step's child run and a reader of its metrics.
 */
export async function digitsRuns(workflowId: string): Promise<{
  child: (step: string) => MlflowRun;
  metric: (step: string, key: string) => number | undefined;
}> {
  const mlflow = new MlflowClient(testConfig.mlflow.trackingUri);
  const experimentId = (await mlflow.getExperimentByName('digits'))!;
  const runs = await mlflow.searchRuns({
    experimentIds: [experimentId],
    filter: `tags.\`temporal.workflow_id\` = '${workflowId}'`,
  });
  assert.equal(runs.length, 5, 'a parent run and four child runs');
  const child = (step: string) =>
    runs.find((r) => r.data.tags?.some((t) => t.key === 'tidemark.step' && t.value === step))!;
  return { child, metric: (step, key) => child(step).data.metrics?.find((m) => m.key === key)?.value };
}
