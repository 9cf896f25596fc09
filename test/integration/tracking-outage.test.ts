import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import { stopDaemon } from '../../scripts/stack/daemon.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { createTestWorker, privateMlflow, uniqueId } from '../helpers/integration.js';

describe('an MLflow outage', () => {
  it('does not stop the pipeline, and the tracking catches up with nothing lost once MLflow is back', async function () {
    this.timeout(240_000);
    // An MLflow of this test's own, so that stopping it touches nothing else.
    const { config, server, runDir, close } = await privateMlflow(15011);
    const mlflow = new MlflowClient(config.mlflow.trackingUri);
    const tw = await createTestWorker({ plugin: { config } });
    const name = uniqueId('outage');
    try {
      await tw.worker.runUntil(async () => {
        const spec = {
          name,
          steps: [
            {
              name: 'first',
              image: 'tidemark/busybox:latest',
              args: ['sh', '-c', 'echo \'{"m": 1}\' > /outputs/metrics.json; echo 1 > /outputs/o'],
              outputs: ['o'],
              cache: { enabled: false },
            },
            {
              name: 'second',
              image: 'tidemark/busybox:latest',
              inputs: { o: 'first.o' },
              args: ['sh', '-c', 'sleep 6; echo \'{"m": 2}\' > /outputs/metrics.json'],
              cache: { enabled: false },
            },
          ],
        };
        const handle = await startPipeline(tw.client, spec, {
          baseDir: tmpdir(),
          store: tw.plugin.deps.store,
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('outage'),
        });
        // Take MLflow down as soon as the pipeline has its run, while the steps go on.
        for (let i = 0; i < 100 && !(await handle.describe()).memo?.mlflow; i++) await sleep(100);
        assert.ok(await stopDaemon(runDir, 'mlflow'), 'MLflow was stopped');
        const t0 = Date.now();
        for (let i = 0; i < 300; i++) {
          const status = (await handle.query('status')) as { steps: { key: string; state: string }[] };
          if (status.steps.every((s) => s.state === 'succeeded')) break;
          await sleep(200);
        }
        const stepsDoneMs = Date.now() - t0;
        assert.ok((await handle.describe()).status.name === 'RUNNING', 'the workflow waits for its tracking');
        await server.start(); // MLflow comes back
        await handle.result();
        assert.ok(stepsDoneMs < 60_000, 'the steps finished while MLflow was down');
        const experimentId = (await mlflow.getExperimentByName(name))!;
        const runs = await mlflow.searchRuns({
          experimentIds: [experimentId],
          filter: `tags.\`temporal.workflow_id\` = '${handle.workflowId}'`,
        });
        assert.equal(runs.length, 3, 'the parent and both steps, each once');
        for (const r of runs) assert.equal(r.info.status, 'FINISHED');
        const metric = (step: string) =>
          runs
            .find((r) => r.data.tags?.some((t) => t.key === 'tidemark.step' && t.value === step))
            ?.data.metrics?.find((m) => m.key === 'm')?.value;
        assert.equal(metric('first'), 1);
        assert.equal(metric('second'), 2);
      });
    } finally {
      await tw.close();
      await close();
    }
  });
});
