import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { startPipeline } from '../../client/start-pipeline.js';
import { createTestWorker, uniqueId } from '../helpers/integration.js';
import { tempDir } from '../helpers/temp.js';

const USER_WORKFLOWS = fileURLToPath(new URL('../fixtures/user-workflows.ts', import.meta.url));

describe('code-first steps', () => {
  it("run inside a user's own workflow, passing outputs from one step to the next", async () => {
    const tw = await createTestWorker({ workflowsPath: USER_WORKFLOWS });
    try {
      await tw.worker.runUntil(async () => {
        const r = (await tw.client.workflow.execute('countWords', {
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('cf'),
          args: [`three little ${uniqueId('words')}`],
        })) as { words: string };
        const { createHash } = await import('node:crypto');
        assert.equal(r.words, createHash('sha256').update('3\n').digest('hex'));
        const err = await tw.client.workflow
          .execute('badStep', { taskQueue: tw.taskQueue, workflowId: uniqueId('bad') })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        assert.ok(err instanceof WorkflowFailedError);
        assert.match(String(err.cause?.message), /Invalid step spec:[\s\S]*field image[\s\S]*field outputs\.x/);
      });
    } finally {
      await tw.close();
    }
  });
});

describe('a broken Dockerfile', () => {
  it('fails the step at once, without retries, with the tail of the build log', async () => {
    const dir = tempDir('broken');
    writeFileSync(
      join(dir, 'Dockerfile'),
      `FROM tidemark/busybox:latest\nRUN echo "compiling ${uniqueId('x')}" && echo "fatal: missing header" && exit 7\n`,
    );
    const tw = await createTestWorker();
    try {
      await tw.worker.runUntil(async () => {
        const handle = await startPipeline(
          tw.client,
          { name: uniqueId('broken'), steps: [{ name: 'b', build: { context: '.' }, args: ['true'] }] },
          { baseDir: dir, store: tw.plugin.deps.store, taskQueue: tw.taskQueue, workflowId: uniqueId('broken') },
        );
        const err = await handle.result().then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof WorkflowFailedError);
        const message = String(err.cause?.message);
        assert.match(message, /docker build of tidemark-step\/b:[0-9a-f]+ failed/);
        assert.match(message, /fatal: missing header/);
        const events = (await handle.fetchHistory()).events ?? [];
        const started = events
          .filter((e) => e.activityTaskStartedEventAttributes)
          .map((e) => e.activityTaskStartedEventAttributes!.attempt);
        assert.ok(
          started.every((a) => a === 1),
          'no activity was retried',
        );
      });
    } finally {
      await tw.close();
    }
  });
});
