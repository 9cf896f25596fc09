import type { ArtifactRef } from '../common/artifact.js';
import { BASE_IMAGES } from '../common/images.js';
import { containerLabels, containerName } from '../lib/containers/container-name.js';
import type { TidemarkDeps } from './deps.js';
import { StepExitError } from './errors.js';
import { callingWorkflow } from './workflow-context.js';

export interface SmokeInput {
  message: string;
}

export interface SmokeResult {
  stdout: ArtifactRef;
  mlflowRunId: string;
  experimentId: string;
  container: string;
}

export const SMOKE_EXPERIMENT = 'tidemark-smoke';

/** Wiring check: one busybox container, its stdout in MinIO, one MLflow run with a param and a metric. */
export function createSmokeActivities(deps: TidemarkDeps) {
  return {
    async smokeEcho({ message }: SmokeInput): Promise<SmokeResult> {
      const { workflowId, runId } = callingWorkflow();
      const name = containerName(workflowId, runId, 'smoke');
      await deps.containers.run({
        name,
        image: BASE_IMAGES.busybox,
        args: ['echo', message],
        env: {},
        mounts: [],
        network: 'none',
        labels: containerLabels(workflowId, runId, 'smoke'),
      });
      const lines: string[] = [];
      const exitCode = await deps.containers.attach(name, (line) => lines.push(line));
      await deps.containers.stop(name);
      if (exitCode !== 0) throw new StepExitError('smoke', exitCode, lines.slice(-20).join('\n'));
      const text = `${lines.join('\n')}\n`;
      const stdout = await deps.store.putBytes(text, 'stdout.txt');

      const experimentId = await deps.mlflow.ensureExperiment(SMOKE_EXPERIMENT);
      const run = await deps.mlflow.createRun({
        experimentId,
        runName: workflowId,
        tags: { 'temporal.workflow_id': workflowId, 'temporal.run_id': runId, 'tidemark.stdout_uri': stdout.uri },
      });
      await deps.mlflow.logBatch(run.info.run_id, {
        params: [{ key: 'message', value: message }],
        metrics: [{ key: 'stdout_bytes', value: stdout.size, timestamp: Date.now(), step: 0 }],
      });
      await deps.mlflow.updateRun(run.info.run_id, 'FINISHED');
      return { stdout, mlflowRunId: run.info.run_id, experimentId, container: name };
    },
  };
}
