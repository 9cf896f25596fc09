import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { monitorBatchSignal, monitorCountQuery, monitorReportsQuery, type monitor } from '../../workflows/monitor.js';
import { createMinioClient } from '../../lib/artifacts/minio-client.js';
import { scheduleMonitorScan } from '../../client/schedule-monitor-scan.js';
import { createTestWorker, labelledCsv, testConfig, uniqueId } from '../helpers/integration.js';
import { tempDir } from '../helpers/temp.js';

describe('the monitor workflow', () => {
  it('checks every batch it is sent, keeps the reports queryable across continue-as-new, and flags the drifted batch', async () => {
    const dir = tempDir('monitor');
    const tw = await createTestWorker();
    const store = tw.plugin.deps.store;
    const put = async (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return store.put(join(dir, name), name);
    };
    try {
      await tw.worker.runUntil(async () => {
        const reference = await put('reference.csv', labelledCsv(800, 0.3, 1));
        const batches = [
          await put('b1.csv', labelledCsv(800, 0.3, 2)),
          await put('b2.csv', labelledCsv(800, 0.3, 3)),
          await put('b3.csv', labelledCsv(800, 0.65, 4)),
        ];
        const handle = await tw.client.workflow.start<typeof monitor>('monitor', {
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('monitor'),
          args: [
            {
              name: 'labels',
              checks: [{ plugin: 'feature-drift', config: { labelColumn: 'label' }, reference }],
              batchesPerRun: 2,
              keepReports: 10,
            },
          ],
        });
        const firstRun = (await handle.describe()).runId;
        for (const batch of batches) await handle.signal(monitorBatchSignal, { batch });
        for (let i = 0; i < 300 && (await handle.query(monitorCountQuery).catch(() => 0)) < 3; i++) await sleep(200);
        const reports = await handle.query(monitorReportsQuery);
        assert.deepEqual(
          reports.map((r) => r.batch.name),
          ['b1.csv', 'b2.csv', 'b3.csv'],
        );
        assert.deepEqual(
          reports.map((r) => r.alarm),
          [false, false, true],
        );
        assert.notEqual((await handle.describe()).runId, firstRun, 'it continued as new after two batches');
        assert.equal((await handle.describe()).searchAttributes.DriftAlarm?.[0], true);
        await handle.terminate('test done');
      });
    } finally {
      await tw.close();
    }
  });

  it('is fed by a Temporal Schedule with each new object under a MinIO prefix, once', async () => {
    const tw = await createTestWorker();
    const minio = createMinioClient(testConfig.minio);
    const prefix = `incoming/${uniqueId('p')}/`;
    const bucket = testConfig.minio.bucket;
    const dir = tempDir('watch');
    writeFileSync(join(dir, 'reference.csv'), labelledCsv(500, 0.3, 7));
    try {
      await tw.worker.runUntil(async () => {
        const reference = await tw.plugin.deps.store.put(join(dir, 'reference.csv'), 'reference.csv');
        const monitorId = uniqueId('watched');
        const handle = await tw.client.workflow.start<typeof monitor>('monitor', {
          taskQueue: tw.taskQueue,
          workflowId: monitorId,
          args: [
            { name: 'watched', checks: [{ plugin: 'feature-drift', config: { labelColumn: 'label' }, reference }] },
          ],
        });
        await minio.putObject(bucket, `${prefix}a.csv`, Buffer.from(labelledCsv(500, 0.3, 8)));
        await minio.putObject(bucket, `${prefix}b.csv`, Buffer.from(labelledCsv(500, 0.7, 9)));
        const schedule = await scheduleMonitorScan(tw.client, {
          scheduleId: uniqueId('scan'),
          taskQueue: tw.taskQueue,
          every: '1 hour',
          bucket,
          prefix,
          monitorWorkflowId: monitorId,
        });
        try {
          const waitFor = async (n: number) => {
            for (let i = 0; i < 300 && (await handle.query(monitorCountQuery)) < n; i++) await sleep(200);
          };
          await schedule.trigger();
          await waitFor(2);
          await schedule.trigger(); // nothing new: nothing sent twice
          await minio.putObject(bucket, `${prefix}c.csv`, Buffer.from(labelledCsv(500, 0.3, 10)));
          await sleep(3000);
          await schedule.trigger();
          await waitFor(3);
          await sleep(2000);
          const reports = await handle.query(monitorReportsQuery);
          assert.deepEqual(
            reports.map((r) => r.batch.name),
            ['a.csv', 'b.csv', 'c.csv'],
          );
          assert.deepEqual(
            reports.map((r) => r.alarm),
            [false, true, false],
          );
        } finally {
          await schedule.delete();
          await handle.terminate('test done');
        }
      });
    } finally {
      await tw.close();
    }
  });
});
