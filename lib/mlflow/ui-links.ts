/**
 * Links into the MLflow UI. MLflow 3's UI opens an experiment on its GenAI overview unless the
 * link asks for the model-training view: 3.17 reads the `workflowType` query parameter (its
 * GenAI / Model training switch, otherwise a per-browser setting that starts at GenAI) and no
 * longer the experiment's `mlflow.experimentKind` tag, which Tidemark sets as well
 * (EXPERIMENT_KIND_TAGS) for the UIs and clients that do read it.
 */
const MODEL_TRAINING = 'workflowType=machine_learning';

/** The experiment tag that marks an experiment as model training rather than GenAI. */
export const EXPERIMENT_KIND_TAGS = { 'mlflow.experimentKind': 'custom_model_development' } as const;

const base = (trackingUri: string) => trackingUri.replace(/\/$/, '');

/** An experiment's runs table, in the model-training view. */
export function mlflowExperimentUrl(trackingUri: string, experimentId: string): string {
  return `${base(trackingUri)}/#/experiments/${encodeURIComponent(experimentId)}/runs?${MODEL_TRAINING}`;
}

/** One run's page, in the model-training view. */
export function mlflowRunUrl(trackingUri: string, experimentId: string, runId: string): string {
  return `${base(trackingUri)}/#/experiments/${encodeURIComponent(experimentId)}/runs/${encodeURIComponent(runId)}?${MODEL_TRAINING}`;
}
