import { Context } from '@temporalio/activity';
import type { TrackRoundInput } from '../../common/labeling.js';
import type { PipelineTracking } from '../../common/tracking.js';
import { EXPERIMENT_KIND_TAGS, mlflowRunUrl } from '../../lib/mlflow/ui-links.js';
import type { TidemarkDeps } from '../deps.js';
import { callingWorkflow } from '../workflow-context.js';

/**
 * Logs a labeling round into the session's MLflow run (made at the first round, found again by
 * its tag on a retry): the round's figures as metrics at step = round, so MLflow charts the
 * metric against rounds, and the round's labels as `labels/round-<n>.csv`.
 */
export async function trackRound(deps: TidemarkDeps, input: TrackRoundInput): Promise<PipelineTracking> {
  const { mlflow } = deps;
  const { workflowId } = callingWorkflow();
  const experimentId = await mlflow.ensureExperiment(input.name, {
    'tidemark.pipeline': input.name,
    ...EXPERIMENT_KIND_TAGS,
  });
  let runId = input.runId;
  if (!runId && Context.current().info.attempt > 1) {
    const found = await mlflow.searchRuns({
      experimentIds: [experimentId],
      filter: `tags.\`tidemark.labeling_session\` = '${workflowId.replace(/'/g, "\\'")}'`,
      maxResults: 1,
    });
    runId = found[0]?.info.run_id;
  }
  if (!runId) {
    const { uiUrl, namespace } = deps.config.temporal;
    const temporalUiUrl = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
    const run = await mlflow.createRun({
      experimentId,
      runName: `labeling ${workflowId}`,
      tags: {
        'tidemark.labeling_session': workflowId,
        'temporal.workflow_id': workflowId,
        'temporal.ui_url': temporalUiUrl,
        'mlflow.note.content': `Labeling session [${workflowId}](${temporalUiUrl}): one metric point per round`,
      },
    });
    runId = run.info.run_id;
  }
  const now = Date.now();
  await mlflow.logBatch(runId, {
    metrics: Object.entries(input.metrics).map(([key, value]) => ({ key, value, timestamp: now, step: input.round })),
    tags: Object.entries({ ...input.tags, 'tidemark.labeling.round': String(input.round) }).map(([key, value]) => ({
      key,
      value,
    })),
  });
  if (input.roundLabels) {
    const run = await mlflow.getRun(runId);
    const base = run.info.artifact_uri.replace(/\/$/, '');
    if (base.startsWith('s3://')) await deps.store.copyTo(input.roundLabels, `${base}/labels/round-${input.round}.csv`);
  }
  return { experimentId, runId, url: mlflowRunUrl(deps.config.mlflow.trackingUri, experimentId, runId) };
}
