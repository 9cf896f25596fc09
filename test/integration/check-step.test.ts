import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { createTestWorker, labelledCsv, testConfig, uniqueId } from '../helpers/integration.js';
import { tempDir } from '../helpers/temp.js';

describe('a check step in a pipeline', () => {
  it('raises an alarm on a class-balance shift, sets DriftAlarm, logs its report, and lets `when` run the retrain step', async () => {
    const dir = tempDir('check');
    writeFileSync(join(dir, 'reference.csv'), labelledCsv(1000, 0.3, 1, { colour: true }));
    writeFileSync(join(dir, 'shifted.csv'), labelledCsv(1000, 0.6, 2, { colour: true }));
    writeFileSync(join(dir, 'same.csv'), labelledCsv(1000, 0.3, 3, { colour: true }));
    const spec = (batch: string) => ({
      name: uniqueId('checked'),
      inputs: { reference: { path: './reference.csv' }, batch: { path: batch } },
      steps: [
        {
          name: 'drift',
          check: {
            plugin: 'feature-drift',
            config: { labelColumn: 'label' },
            reference: 'inputs.reference',
            batch: 'inputs.batch',
          },
        },
        {
          name: 'retrain',
          image: 'tidemark/busybox:latest',
          args: ['sh', '-c', 'echo retraining'],
          when: 'drift.alarm == true',
          cache: { enabled: false },
        },
      ],
    });
    const tw = await createTestWorker();
    try {
      await tw.worker.runUntil(async () => {
        const shifted = await startPipeline(tw.client, spec('./shifted.csv'), {
          baseDir: dir,
          store: tw.plugin.deps.store,
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('shift'),
        });
        const result = await shifted.result();
        const drift = result.steps.find((s) => s.key === 'drift')!;
        assert.equal(drift.metrics!.alarm, 1, drift.reason);
        assert.equal(result.steps.find((s) => s.key === 'retrain')!.state, 'succeeded', 'retrained on the alarm');
        const report = JSON.parse((await tw.plugin.deps.store.getBytes(drift.outputs!.report as never)).toString()) as {
          alarm: boolean;
          plugin: string;
        };
        assert.equal(report.alarm, true);
        assert.equal(report.plugin, 'feature-drift');
        const described = await shifted.describe();
        assert.equal(described.searchAttributes.DriftAlarm?.[0], true);

        const mlflow = new MlflowClient(testConfig.mlflow.trackingUri);
        const experimentId = (await mlflow.getExperimentByName(result.name))!;
        const runs = await mlflow.searchRuns({
          experimentIds: [experimentId],
          filter: "tags.`tidemark.step` = 'drift'",
        });
        assert.equal(runs.length, 1);
        assert.equal(runs[0]!.data.metrics?.find((m) => m.key === 'alarm')?.value, 1);
        const files = (await mlflow.listArtifacts(runs[0]!.info.run_id, 'outputs')).map((f) => f.path);
        assert.ok(
          files.some((f) => /^outputs\/report/.test(f)),
          files.join(', '),
        );

        const same = await startPipeline(tw.client, spec('./same.csv'), {
          baseDir: dir,
          store: tw.plugin.deps.store,
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('same'),
        });
        const calm = await same.result();
        assert.equal(calm.steps.find((s) => s.key === 'drift')!.metrics!.alarm, 0);
        assert.equal(calm.steps.find((s) => s.key === 'retrain')!.state, 'skipped', 'no alarm, no retraining');
      });
    } finally {
      await tw.close();
    }
  });
});
