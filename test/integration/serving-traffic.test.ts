import { strict as assert } from 'node:assert';
import { deployModel, waitForDeployment } from '../../client/serving.js';
import { stopUpdate } from '../../common/serving-messages.js';
import { monitorReportsQuery, type monitor, type MonitorReport } from '../../workflows/monitor.js';
import { parseS3Uri } from '../../common/artifact.js';
import { createMinioClient } from '../../lib/artifacts/minio-client.js';
import { createTestWorker, testConfig, uniqueId } from '../helpers/integration.js';
import { digitRows, registerDigitsModels } from '../helpers/serving.js';

function csv(rows: { columns: string[]; data: number[][] }): string {
  return `${[rows.columns.join(','), ...rows.data.map((r) => r.join(','))].join('\n')}\n`;
}

async function send(
  endpoint: string,
  rows: { columns: string[]; data: number[][] },
  perRequest: number,
): Promise<void> {
  for (let i = 0; i < rows.data.length; i += perRequest) {
    const res = await fetch(`${endpoint}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataframe_split: { columns: rows.columns, data: rows.data.slice(i, i + perRequest) } }),
    });
    assert.equal(res.status, 200, await res.text());
  }
}

describe('live traffic into the monitor', function () {
  this.timeout(600_000);

  it('samples requests and predictions into batches in MinIO that reach the monitor, and a shifted stream raises DriftAlarm on the deployment', async () => {
    const model = uniqueId('digits-live');
    const [version] = await registerDigitsModels(model, [{ C: 1 }]);
    const tw = await createTestWorker();
    try {
      await tw.worker.runUntil(async () => {
        const reference = await tw.plugin.deps.store.putBytes(csv(digitRows(400, 7)), 'reference.csv');
        const { handle } = await deployModel(tw.client, `${model}/${version}`, {
          taskQueue: tw.taskQueue,
          options: {
            sampling: { rate: 1, batchRows: 60, batchMs: '60s' },
            monitor: { checks: [{ plugin: 'feature-drift', reference }] },
          },
        });
        const status = await waitForDeployment(handle, (s) => s.state === 'stable');
        await send(status.endpoint!, digitRows(60, 99), 10); // like the reference
        await send(status.endpoint!, digitRows(60, 123, 6), 12); // every pixel brighter
        const monitorHandle = tw.client.workflow.getHandle<typeof monitor>(`${handle.workflowId}-monitor`);
        let reports: MonitorReport[] = [];
        for (let i = 0; i < 240 && reports.length < 2; i++) {
          reports = await monitorHandle.query(monitorReportsQuery).catch(() => []);
          await new Promise((r) => setTimeout(r, 500));
        }
        assert.equal(reports.length, 2, 'two batches reached the monitor');
        assert.equal(reports[0]!.alarm, false, 'traffic like the reference raises nothing');
        assert.equal(reports[1]!.alarm, true, 'the shifted batch raises the alarm');
        const batch = (await tw.plugin.deps.store.getBytes(reports[1]!.batch)).toString().trim().split('\n');
        assert.equal(batch.length, 61, 'a header and 60 sampled rows');
        assert.equal(batch[0], digitRows(1).columns.join(','));
        const { bucket, key } = parseS3Uri(reports[1]!.batch.uri.replace(/\.csv$/, '.predictions.csv'));
        let predictions = '';
        for await (const c of await createMinioClient(testConfig.minio).getObject(bucket, key))
          predictions += String(c);
        const lines = predictions.trim().split('\n');
        assert.equal(lines[0], 'version,prediction');
        assert.equal(lines.length, 61);
        assert.match(
          lines[1]!,
          new RegExp(`^v${version},\\d$`),
          'each row with the version that answered and its prediction',
        );
        const alarmed = await waitForDeployment(handle, (s) => s.driftAlarm);
        assert.ok(alarmed.decisions.some((d) => d.kind === 'drift-alarm'));
        const described = await handle.describe();
        assert.equal(described.searchAttributes.DriftAlarm?.[0], true);
        await handle.executeUpdate(stopUpdate, { args: [] });
      });
    } finally {
      await tw.close();
    }
  });
});
