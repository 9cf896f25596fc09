import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopDaemon } from '../../scripts/stack/daemon.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { containersCreated, createTestWorker, privateMinio, uniqueId } from '../helpers/integration.js';

describe('an artifact store outage while a finished step uploads', () => {
  it('keeps the outputs of a step that exited 0 and uploads them when the store is back, never running the step again', async function () {
    this.timeout(300_000);
    // A MinIO of this test's own, so that stopping it touches nothing else.
    const minio = await privateMinio(19310);
    const tw = await createTestWorker({ plugin: { config: minio.config } });
    const name = uniqueId('store-outage');
    const since = Date.now();
    try {
      await tw.worker.runUntil(async () => {
        const handle = await startPipeline(
          tw.client,
          {
            name,
            tracking: { enabled: false },
            steps: [
              {
                name: 'big',
                image: 'tidemark/busybox:latest',
                // 100 MB of new bytes and their hash; the store goes down while the step sleeps.
                args: [
                  'sh',
                  '-c',
                  'head -c 100000000 /dev/urandom > /outputs/big; sha256sum /outputs/big | cut -d" " -f1 > /outputs/sum; touch /outputs/ready; sleep 4',
                ],
                outputs: { big: 'big', sum: 'sum' },
                cache: { enabled: false },
              },
            ],
          },
          { baseDir: process.cwd(), store: tw.plugin.deps.store, taskQueue: tw.taskQueue, workflowId: name },
        );
        // Down while the step still runs: its upload meets the outage.
        for (let i = 0; i < 300; i++) {
          const pending = (await handle.describe()).raw.pendingActivities ?? [];
          if (pending.length && Date.now() - since > 3000) break;
          await sleep(100);
        }
        assert.ok(await stopDaemon(minio.runDir, 'minio'), 'MinIO was stopped');
        await sleep(15_000); // a few failed attempts at the upload
        const status = (await handle.query('status')) as { steps: { key: string; state: string }[] };
        assert.equal(status.steps[0]!.state, 'running', 'the step waits for the store');
        const back = Date.now();
        await minio.server.start();
        const result = await handle.result();
        const resumedMs = Date.now() - back;
        console.log(`      the pipeline finished ${(resumedMs / 1000).toFixed(1)} s after MinIO was back`);
        const step = result.steps[0]!;
        const big = step.outputs!.big as { sha256: string; size: number };
        const sum = (await tw.plugin.deps.store.getBytes(step.outputs!.sum as never)).toString().trim();
        assert.equal(big.sha256, sum, 'the stored output is the bytes the step wrote');
        assert.equal(big.size, 100_000_000);
        assert.equal(await containersCreated(handle.workflowId, since), 1, 'the step ran once');
        assert.ok(resumedMs < 60_000, 'the pipeline went on soon after the store came back');
      });
    } finally {
      await tw.close();
      await minio.close();
    }
  });
});
