import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { containersCreated, createTestWorker, leftoverContainers, uniqueId } from '../helpers/integration.js';

describe('a worker killed mid-step', () => {
  it('is recovered by a new worker: the pipeline completes, one container ran for the step, and its outputs are intact', async function () {
    this.timeout(180_000);
    const taskQueue = uniqueId('crash');
    const t0 = Date.now();
    // The first worker is a separate process, so it can die the hard way.
    const doomed = spawn(process.execPath, ['--import', 'tsx', 'workers/main.ts', '--no-stack'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, TIDEMARK_TASK_QUEUE: taskQueue, TIDEMARK_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const doomedExit = new Promise((resolve) => doomed.on('exit', resolve));
    const tw = await createTestWorker({ taskQueue });
    try {
      const spec = {
        name: uniqueId('crashy'),
        steps: [
          {
            name: 'slow',
            image: 'tidemark/busybox:latest',
            args: ['sh', '-c', 'echo started; sleep 20; seq 1 1000 > /outputs/numbers.txt; echo done'],
            outputs: { numbers: 'numbers.txt' },
            cache: { enabled: false },
          },
        ],
      };
      const handle = await startPipeline(tw.client, spec, {
        baseDir: tmpdir(),
        store: tw.plugin.deps.store,
        taskQueue,
        workflowId: uniqueId('crash'),
      });
      for (let i = 0; i < 150 && (await leftoverContainers(tw, handle.workflowId)).length === 0; i++) await sleep(200);
      assert.equal(
        (await leftoverContainers(tw, handle.workflowId)).length,
        1,
        'the step container runs under the first worker',
      );
      await sleep(2000);
      doomed.kill('SIGKILL');
      await doomedExit;

      // A new worker picks the step up after the heartbeat timeout and reattaches to the container.
      const result = await tw.worker.runUntil(handle.result());
      const slow = result.steps.find((s) => s.key === 'slow')!;
      assert.equal(slow.state, 'succeeded');
      assert.equal(await containersCreated(handle.workflowId, t0), 1, 'exactly one container ran for the step');
      const numbers = await tw.plugin.deps.store.getBytes(slow.outputs!.numbers as never);
      assert.equal(numbers.toString(), `${Array.from({ length: 1000 }, (_, i) => i + 1).join('\n')}\n`);
      const log = (await tw.plugin.deps.store.getBytes(slow.log!)).toString();
      assert.match(log, /started\s+done/, 'the log has the whole run, from before the crash too');
      assert.deepEqual(await leftoverContainers(tw, handle.workflowId), []);
    } finally {
      doomed.kill('SIGKILL');
      await tw.close();
    }
  });
});
