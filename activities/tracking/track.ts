import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { Client } from 'minio';
import { createMinioClient } from '../../lib/artifacts/minio-client.js';
import { registerableSource } from './register-model.js';
import type { ArtifactRef } from '../../common/artifact.js';
import { MlflowClient, type FinishedRun, type MlflowMetric, type MlflowParam } from '../../lib/mlflow/mlflow-client.js';
import { EXPERIMENT_KIND_TAGS, mlflowRunUrl } from '../../lib/mlflow/ui-links.js';
import type {
  PipelineTracking,
  TrackPipelineStartInput,
  TrackStepEndInput,
  TrackStepEndResult,
  TrackStepRecord,
  TrackStepsInput,
  TrackStepsResult,
  TrackStepStartInput,
} from '../../common/tracking.js';
import type { TidemarkDeps } from '../deps.js';
import { callingWorkflow } from '../workflow-context.js';

/** How many steps of one batch are recorded at once (MLflow's calls are short; this overlaps their latency). */
const BATCH_CONCURRENCY = 4;

const STATUS: Record<string, FinishedRun['status']> = {
  succeeded: 'FINISHED',
  cached: 'FINISHED',
  skipped: 'FINISHED',
  failed: 'FAILED',
  cancelled: 'KILLED',
};

/** MLflow params are strings of at most 6000 characters. */
function paramValue(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > 6000 ? `${s.slice(0, 5990)}…` : s;
}

/**
 * Tracking activities: one MLflow experiment per pipeline, a parent run per workflow run, a
 * child run per step. Each is idempotent (found again by its tags), so Temporal's retries while
 * MLflow is down never create duplicates, and nothing is lost when it comes back.
 */
export function createTrackingActivities(deps: TidemarkDeps) {
  const { mlflow } = deps;
  let minioClient: Client | undefined;
  const minio = () => (minioClient ??= createMinioClient(deps.config.minio));
  const scratch = join(deps.workDir, 'register');
  const runUrl = (experimentId: string, runId: string) =>
    mlflowRunUrl(deps.config.mlflow.trackingUri, experimentId, runId);

  async function findRun(experimentId: string, tags: Record<string, string>): Promise<string | undefined> {
    const filter = Object.entries(tags)
      .map(([k, v]) => `tags.\`${k}\` = '${v.replace(/'/g, "\\'")}'`)
      .join(' and ');
    const runs = await mlflow.searchRuns({ experimentIds: [experimentId], filter, maxResults: 1 });
    return runs[0]?.info.run_id;
  }

  /** A step run's tags: `tags`, and what links it to its workflow run and its parent (the identity, by which a retry finds it). */
  function stepRunTags(parent: PipelineTracking, stepKey: string, tags: Record<string, string>) {
    const { workflowId, runId } = callingWorkflow();
    const identity = { 'temporal.run_id': runId, 'tidemark.step': stepKey };
    return {
      identity,
      tags: { ...tags, ...identity, 'mlflow.parentRunId': parent.runId, 'temporal.workflow_id': workflowId },
    };
  }

  /**
   * The step's run: found again on a retry, else created, with `tags` when given (a finished
   * step's tags go with the create, so its end needs no tags of its own: `created` says so).
   */
  async function stepStart(
    input: TrackStepStartInput,
    tags: Record<string, string> = {},
    startTime?: number,
  ): Promise<PipelineTracking & { artifactUri: string; created: boolean }> {
    const { identity, tags: runTags } = stepRunTags(input.parent, input.stepKey, tags);
    if (Context.current().info.attempt > 1) {
      const found = await findRun(input.parent.experimentId, identity);
      if (found) {
        const run = await mlflow.getRun(found);
        return {
          experimentId: input.parent.experimentId,
          runId: found,
          url: runUrl(input.parent.experimentId, found),
          artifactUri: run.info.artifact_uri,
          created: false,
        };
      }
    }
    const run = await mlflow.createRun({
      experimentId: input.parent.experimentId,
      runName: input.stepKey,
      startTime,
      tags: runTags,
    });
    return {
      experimentId: input.parent.experimentId,
      runId: run.info.run_id,
      url: runUrl(input.parent.experimentId, run.info.run_id),
      artifactUri: run.info.artifact_uri,
      created: true,
    };
  }

  /** A run's artifact URI without its trailing slash, to which artifact paths are appended. */
  const artifactBase = (artifactUri: string) => artifactUri.replace(/\/$/, '');

  /**
   * The outputs and the log, under the run's artifact URI (`base`): copied server-side inside
   * MinIO, so no bytes pass through the worker a second time.
   */
  async function copyArtifacts(
    base: string,
    input: Pick<TrackStepEndInput, 'outputs' | 'log' | 'stepKey'>,
  ): Promise<void> {
    if (!base.startsWith('s3://')) return;
    const copies: Promise<void>[] = [];
    for (const [name, ref] of Object.entries(input.outputs)) {
      const refs: ArtifactRef[] = Array.isArray(ref) ? ref : [ref];
      for (const [i, r] of refs.entries()) {
        // Keep the file's extension (report.json, plot.svg) so the MLflow UI can preview it.
        const ext =
          r.kind === 'dir'
            ? '.tar'
            : !name.includes('.') && /\.[A-Za-z0-9]{1,5}$/.test(r.name)
              ? r.name.slice(r.name.lastIndexOf('.'))
              : '';
        const leaf = `${refs.length > 1 || Array.isArray(ref) ? `${name}/${i}` : name}${ext}`;
        copies.push(deps.store.copyTo(r, `${base}/outputs/${leaf}`));
      }
    }
    if (input.log) copies.push(deps.store.copyTo(input.log, `${base}/logs/${input.stepKey}.log`));
    await Promise.all(copies);
  }

  /** The tags a finished step's run ends with. */
  const endTags = (input: Pick<TrackStepEndInput, 'tags' | 'state'>) => ({
    ...input.tags,
    'tidemark.state': input.state,
  });

  /** A finished step's metrics (with each output's size) as of `now`, and its params. */
  function stepValues(
    input: Pick<TrackStepEndInput, 'metrics' | 'outputs' | 'params'>,
    now: number,
  ): { metrics: MlflowMetric[]; params: MlflowParam[] } {
    const metrics = Object.entries(input.metrics).map(([key, value]) => ({ key, value, timestamp: now, step: 0 }));
    for (const [name, ref] of Object.entries(input.outputs)) {
      const refs: ArtifactRef[] = Array.isArray(ref) ? ref : [ref];
      metrics.push({
        key: `output_bytes.${name}`,
        value: refs.reduce((n, r) => n + r.size, 0),
        timestamp: now,
        step: 0,
      });
    }
    return { metrics, params: Object.entries(input.params).map(([key, v]) => ({ key, value: paramValue(v) })) };
  }

  /**
   * `tagged`: the run was created with endTags already (see finishedStep). `artifactUri`: the
   * run was created by this attempt, so it holds no params yet and needs no look-up.
   */
  async function stepEnd(
    input: TrackStepEndInput & { artifactUri?: string; tagged?: boolean },
  ): Promise<TrackStepEndResult> {
    // A retry (or a run the step logged into itself) may hold params already: MLflow refuses to change one.
    const run =
      input.artifactUri && Context.current().info.attempt === 1 ? undefined : await mlflow.getRun(input.runId);
    const artifactUri = input.artifactUri ?? run!.info.artifact_uri;
    const { metrics, params } = stepValues(input, Date.now());
    const existingParams = new Set((run?.data.params ?? []).map((p) => p.key));
    const base = artifactBase(artifactUri);
    // The artifacts go to MinIO while MLflow takes the batch: two servers, side by side.
    const copies = copyArtifacts(base, input);
    copies.catch(() => undefined); // handled: awaited below
    await mlflow.logBatch(input.runId, {
      metrics,
      params: params.filter((p) => !existingParams.has(p.key)),
      tags: input.tagged ? [] : Object.entries(endTags(input)).map(([key, value]) => ({ key, value })),
    });
    await copies;
    let modelVersion: string | undefined;
    const model = input.register ? input.outputs[input.register.model] : undefined;
    if (input.register && model && !Array.isArray(model)) {
      await mlflow.createRegisteredModel(input.register.name);
      const existing = (run?.data.tags ?? []).find((t) => t.key === 'tidemark.model_version')?.value;
      if (!existing) {
        // An MLflow Model under the run's artifacts (model/), or the raw output when it is not one.
        await mkdir(scratch, { recursive: true });
        const { source, format } = await registerableSource(deps.store, minio(), scratch, base, {
          name: input.register.model,
          ref: model,
        });
        modelVersion = (
          await mlflow.createModelVersion({
            name: input.register.name,
            source,
            runId: input.runId,
            tags: { sha256: model.sha256, 'tidemark.model_format': format },
          })
        ).version;
      } else modelVersion = existing;
      await mlflow.setTag(input.runId, 'tidemark.model_version', modelVersion);
    }
    await mlflow.updateRun(input.runId, STATUS[input.state] ?? 'FINISHED', input.endedAt);
    return { modelVersion };
  }

  /** A finished step's run in one go (for steps that did not log into a run of their own): created with its tags, filled, closed. */
  async function finishedStep(
    parent: PipelineTracking,
    input: Omit<TrackStepEndInput, 'runId'>,
  ): Promise<TrackStepEndResult> {
    const started = await stepStart({ parent, stepKey: input.stepKey }, endTags(input), input.startedAt);
    return stepEnd({ ...input, runId: started.runId, artifactUri: started.artifactUri, tagged: started.created });
  }

  /**
   * Finished steps recorded in one request, each into a new run complete with its tags, params,
   * metrics, times and status, where the MLflow server has Tidemark's bulk endpoint (the stack's
   * own does); their outputs and logs are then copied beside each other. Only on a first attempt:
   * a retry may find runs made before, which the per-step path looks for. Steps that logged into
   * a run of their own or register a model take the per-step path; so does everything when the
   * server lacks the endpoint. Returns the steps left to record.
   */
  async function recordInBulk(parent: PipelineTracking, steps: TrackStepRecord[]): Promise<TrackStepRecord[]> {
    if (Context.current().info.attempt > 1) return steps;
    const now = Date.now();
    const bulk = steps.flatMap((s) => {
      if (s.runId || s.register) return [];
      const run: FinishedRun = {
        runName: s.stepKey,
        startTime: s.startedAt ?? now,
        endTime: s.endedAt ?? now,
        status: STATUS[s.state] ?? 'FINISHED',
        tags: stepRunTags(parent, s.stepKey, endTags(s)).tags,
        ...stepValues(s, now),
      };
      return MlflowClient.fitsOneRecord(run) ? [{ step: s, run }] : [];
    });
    if (bulk.length === 0) return steps;
    const recorded = await mlflow.recordFinishedRuns(
      parent.experimentId,
      bulk.map((b) => b.run),
    );
    if (!recorded) return steps;
    await Promise.all(bulk.map((b, i) => copyArtifacts(artifactBase(recorded[i]!.artifactUri), b.step)));
    const done = new Set(bulk.map((b) => b.step));
    return steps.filter((s) => !done.has(s));
  }

  return {
    async trackPipelineStart(input: TrackPipelineStartInput): Promise<PipelineTracking> {
      const { workflowId, runId } = callingWorkflow();
      const { uiUrl, namespace } = deps.config.temporal;
      const temporalUiUrl = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
      const experimentId = await mlflow.ensureExperiment(input.pipeline, {
        'tidemark.pipeline': input.pipeline,
        ...EXPERIMENT_KIND_TAGS,
      });
      const identity = { 'temporal.run_id': runId };
      // Only a retry can find the run already made (the first attempt spares MLflow a search).
      let mlflowRunId = Context.current().info.attempt > 1 ? await findRun(experimentId, identity) : undefined;
      if (!mlflowRunId) {
        const run = await mlflow.createRun({
          experimentId,
          runName: workflowId,
          tags: {
            ...identity,
            'temporal.workflow_id': workflowId,
            'temporal.namespace': deps.config.temporal.namespace,
            'temporal.ui_url': temporalUiUrl,
            'mlflow.note.content': `Temporal workflow [${workflowId}](${temporalUiUrl})`,
          },
        });
        mlflowRunId = run.info.run_id;
        await mlflow.logBatch(mlflowRunId, {
          params: Object.entries(input.params).map(([key, v]) => ({ key, value: paramValue(v) })),
        });
      }
      return { experimentId, runId: mlflowRunId, url: runUrl(experimentId, mlflowRunId) };
    },

    trackStepStart: (input: TrackStepStartInput) => stepStart(input).then(({ created: _, ...started }) => started),

    trackStepEnd: (input: TrackStepEndInput) => stepEnd(input),

    /** A finished step's run in one go: created, filled and closed (for steps that did not log themselves). */
    trackStep: (input: TrackStepStartInput & Omit<TrackStepEndInput, 'runId'>) => finishedStep(input.parent, input),

    /**
     * Several finished steps in one activity (the pipeline batches them), and with the last ones
     * the end of the pipeline's run. Each step is recorded as trackStep/trackStepEnd would; a
     * retry finds the runs an earlier attempt made, so no step gets two runs.
     */
    async trackSteps(input: TrackStepsInput): Promise<TrackStepsResult> {
      const modelVersions: Record<string, string> = {};
      const queue = await recordInBulk(input.parent, input.steps);
      const failures: unknown[] = [];
      const worker = async () => {
        for (let s = queue.shift(); s; s = queue.shift()) {
          try {
            const runId = s.runId;
            const r = runId ? await stepEnd({ ...s, runId }) : await finishedStep(input.parent, s);
            if (r.modelVersion) modelVersions[s.stepKey] = r.modelVersion;
          } catch (err) {
            failures.push(err);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, input.steps.length) }, worker));
      if (failures.length) throw failures[0]; // retried as a whole: what was recorded is found again
      if (input.end?.metrics && Object.keys(input.end.metrics).length) {
        const now = Date.now();
        await mlflow.logBatch(input.parent.runId, {
          metrics: Object.entries(input.end.metrics).map(([key, value]) => ({ key, value, timestamp: now, step: 0 })),
        });
      }
      if (input.end) await mlflow.updateRun(input.parent.runId, STATUS[input.end.state]!);
      return { modelVersions };
    },

    /**
     * Points `alias` at `version` when its metric beats the current holder's (recorded on each
     * version as the tag tidemark.metric). Returns whether it was promoted.
     */
    async promoteModel(input: {
      name: string;
      version: string;
      alias: string;
      metric: string;
      value: number;
      greaterIsBetter: boolean;
    }): Promise<{ promoted: boolean; previous?: string }> {
      await mlflow.setModelVersionTag(input.name, input.version, 'tidemark.metric', `${input.metric}=${input.value}`);
      const current = await mlflow.getModelVersionByAlias(input.name, input.alias);
      if (current?.version === input.version) return { promoted: true };
      const currentValue = current
        ? Number((current.tags ?? []).find((t) => t.key === 'tidemark.metric')?.value.split('=')[1])
        : undefined;
      const better =
        currentValue === undefined ||
        Number.isNaN(currentValue) ||
        (input.greaterIsBetter ? input.value > currentValue : input.value < currentValue);
      if (better) await mlflow.setModelAlias(input.name, input.alias, input.version);
      return { promoted: better, previous: current?.version };
    },

    async trackPipelineEnd(input: { runId: string; state: 'succeeded' | 'failed' | 'cancelled' }): Promise<void> {
      await mlflow.updateRun(input.runId, STATUS[input.state]!);
    },
  };
}
