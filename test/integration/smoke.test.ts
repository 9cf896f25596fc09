import { strict as assert } from 'node:assert';
import { execa } from 'execa';
import { createMinioClient } from '../../lib/artifacts/minio-client.js';
import { parseS3Uri } from '../../common/artifact.js';
import { SMOKE_EXPERIMENT, type SmokeResult } from '../../activities/smoke.js';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import { locateTools } from '../../scripts/stack/tools.js';
import { createTestWorker, testConfig, uniqueId } from '../helpers/integration.js';

describe('the smoke workflow', () => {
  it('runs one container, stores its stdout in MinIO, records an MLflow run, and is listed by the Temporal CLI', async () => {
    const tw = await createTestWorker();
    const workflowId = uniqueId('smoke');
    const message = `hello ${workflowId}`;
    try {
      const result = await tw.worker.runUntil(
        tw.client.workflow.execute('smoke', {
          taskQueue: tw.taskQueue,
          workflowId,
          args: [{ message }],
        }) as Promise<SmokeResult>,
      );

      // MinIO holds the object, with exactly the container's stdout.
      const minio = createMinioClient(testConfig.minio);
      const { bucket, key } = parseS3Uri(result.stdout.uri);
      const chunks: Buffer[] = [];
      for await (const c of await minio.getObject(bucket, key)) chunks.push(c as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), `${message}\n`);

      // MLflow's runs/search returns the run with its param and metric.
      const mlflow = new MlflowClient(testConfig.mlflow.trackingUri);
      const experimentId = await mlflow.getExperimentByName(SMOKE_EXPERIMENT);
      assert.ok(experimentId);
      const runs = await mlflow.searchRuns({
        experimentIds: [experimentId],
        filter: `tags.\`temporal.workflow_id\` = '${workflowId}'`,
      });
      assert.equal(runs.length, 1);
      const run = runs[0]!;
      assert.equal(run.info.run_id, result.mlflowRunId);
      assert.equal(run.info.status, 'FINISHED');
      assert.deepEqual(run.data.params?.find((p) => p.key === 'message')?.value, message);
      assert.equal(run.data.metrics?.find((m) => m.key === 'stdout_bytes')?.value, Buffer.byteLength(`${message}\n`));

      // `temporal workflow list` shows it.
      const temporal = locateTools().temporal!;
      const { stdout } = await execa(temporal, [
        'workflow',
        'list',
        '--address',
        testConfig.temporal.address,
        '--namespace',
        testConfig.temporal.namespace,
        '--query',
        `WorkflowId = '${workflowId}'`,
        '--output',
        'json',
      ]);
      const listed = JSON.parse(stdout) as { execution: { workflowId: string }; status: string }[];
      assert.equal(listed.length, 1);
      assert.equal(listed[0]!.execution.workflowId, workflowId);

      // The container is gone.
      assert.deepEqual(await tw.plugin.deps.containers.list({ 'tidemark.workflow-id': workflowId }), []);
    } finally {
      await tw.close();
    }
  });
});
