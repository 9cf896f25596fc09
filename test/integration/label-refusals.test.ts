import { strict as assert } from 'node:assert';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { tidemark } from '../helpers/cli.js';
import { labelsQuery, submitLabelsUpdate } from '../../common/labeling-messages.js';
import { LabelingSessionError } from '../../client/errors.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { startLabelingSession } from '../../client/start-labeling-session.js';
import { submitLabels } from '../../client/submit-labels.js';
import { createTestWorker, uniqueId, type TestWorker } from '../helpers/integration.js';
import { waitingBatch, labelingData, sessionSpec, type LabelingData } from '../helpers/labeling.js';

/** Temporal's own wording, which must never reach a person who sent labels. */
const INTERNAL = /type: \w*Error|retryable|Workflow Update failed|already completed|no handler/i;

describe('labels refused clearly', function () {
  this.timeout(300_000);
  let tw: TestWorker;
  let data: LabelingData | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'label-refusals-'));

  // A worker runs once: each test gets a fresh one on a task queue of its own.
  const withWorker = async (fn: (data: LabelingData) => Promise<void>) => {
    tw = await createTestWorker();
    try {
      data ??= await labelingData(tw.plugin.deps.store, { seed: 21 });
      await tw.worker.runUntil(() => fn(data!));
    } finally {
      await tw.close();
    }
  };

  const start = (over: Parameters<typeof sessionSpec>[2] = {}) =>
    startLabelingSession(tw.client, sessionSpec(data!, uniqueId('labref'), { tracking: false, ...over }), {
      baseDir: dir,
      store: tw.plugin.deps.store,
      taskQueue: tw.taskQueue,
    });

  it('sends a labels file over the gRPC limit in several updates and says what each label became; a completed session then says so', async () => {
    await withWorker(async (data) => {
      const h = await start();
      const batch = await waitingBatch(h);
      const ids = batch.samples.map((s) => s.id);
      // 5 MB of labels: the batch's four, then 150,000 ids the session never asked for.
      const labels: Record<string, string> = Object.fromEntries(ids.map((id) => [id, data.truth[id]!]));
      for (let i = 0; i < 150_000; i++) labels[`unknown-sample-${String(i).padStart(6, '0')}`] = 'a';
      const file = join(dir, 'big.json');
      writeFileSync(file, JSON.stringify({ labeler: 'bulk', labels }));
      assert.ok(statSync(file).size > 4 * 1024 * 1024, 'the file is over the 4 MB gRPC limit');

      const sent = await tidemark('label', 'submit', h.workflowId, '--file', file);
      assert.equal(sent.exitCode, 2, sent.stderr);
      assert.match(sent.stdout, /accepted 4, unchanged 0, rejected 150000; 0 still pending \(sent in \d+ updates\)/);
      assert.match(sent.stdout, /rejected unknown-sample-000000=a: unknown sample id "unknown-sample-000000"/);
      assert.match(sent.stdout, /… and 149950 more rejected/);
      assert.doesNotMatch(sent.stdout + sent.stderr, INTERNAL);

      const result = await h.result();
      assert.equal(result.rounds[0]!.labeled, 4);
      const late = await tidemark('label', 'submit', h.workflowId, '--file', file);
      assert.equal(late.exitCode, 1);
      assert.match(
        late.stderr,
        new RegExp(
          `labeling session "${h.workflowId}" is completed after 1 round\\(s\\) \\(rounds\\); it takes no more labels`,
        ),
      );
      assert.doesNotMatch(late.stderr, INTERNAL);
    });
  });

  it('refuses an unknown field alike in the CLI and in the update, and a .txt file with the formats it takes', async () => {
    await withWorker(async (data) => {
      const h = await start();
      const batch = await waitingBatch(h);
      const id = batch.samples[0]!.id;
      const payload = { labelr: 'ann', labels: { [id]: data.truth[id]! } };
      writeFileSync(join(dir, 'typo.json'), JSON.stringify(payload));
      const cli = await tidemark('label', 'submit', h.workflowId, '--file', join(dir, 'typo.json'));
      assert.equal(cli.exitCode, 1);
      assert.match(cli.stderr, /unknown field "labelr" \(the fields here are labeler, labels, overwrite\)/);

      await assert.rejects(h.executeUpdate(submitLabelsUpdate, { args: [payload as never] }), (err: Error) => {
        assert.ok(err instanceof WorkflowUpdateFailedError);
        assert.match(
          (err.cause as Error).message,
          /unknown field "labelr" \(the fields here are labeler, labels, overwrite\)/,
        );
        return true;
      });
      await assert.rejects(submitLabels(tw.client, h.workflowId, payload as never), (err: Error) => {
        assert.ok(err instanceof LabelingSessionError, String(err));
        assert.match(err.message, /^malformed submission \(payload: unknown field "labelr"/);
        assert.doesNotMatch(err.message, INTERNAL);
        return true;
      });
      assert.deepEqual(await h.query(labelsQuery), {}, 'nothing was recorded');

      writeFileSync(join(dir, 'labels.txt'), `${id} a\n`);
      const txt = await tidemark('label', 'submit', h.workflowId, '--file', join(dir, 'labels.txt'));
      assert.equal(txt.exitCode, 1);
      assert.match(
        txt.stderr,
        /labels\.txt is a \.txt file; a labels file is CSV \(a \.csv with the header row "id,label"/,
      );
      assert.match(txt.stderr, /or JSON \(a \.json holding \{ "labels"/);

      const none = await tidemark(
        'label',
        'submit',
        h.workflowId,
        '--file',
        writeCsv('ghosts.csv', 'id,label\nghost,a\n'),
      );
      assert.equal(none.exitCode, 1);
      assert.match(
        none.stderr,
        /nothing was accepted: no label accepted:\n {2}rejected ghost=a: unknown sample id "ghost"/,
      );
      assert.doesNotMatch(none.stderr, INTERNAL);
      await h.terminate('test done');
      const gone = await tidemark('label', 'pending', h.workflowId);
      assert.match(gone.stderr, /labeling session ".*" is terminated; it takes no more labels/);
    });
  });

  const writeCsv = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('says what a workflow is when labels are sent to one that is not a labeling session, or to a failed session', async () => {
    await withWorker(async (data) => {
      const pipeline = await startPipeline(
        tw.client,
        { name: 'not-a-session', steps: [{ name: 'noop', image: 'tidemark/busybox:latest', command: ['true'] }] },
        { baseDir: dir, store: tw.plugin.deps.store, taskQueue: tw.taskQueue, workflowId: uniqueId('notsession') },
      );
      await pipeline.result();
      const labels = writeCsv('one.csv', 'id,label\ns000,a\n');
      const wrong = await tidemark('label', 'submit', pipeline.workflowId, '--file', labels);
      assert.equal(wrong.exitCode, 1);
      assert.match(
        wrong.stderr,
        new RegExp(`workflow "${pipeline.workflowId}" is a pipeline workflow \\(completed\\), not a labeling session`),
      );
      assert.doesNotMatch(wrong.stderr, INTERNAL);
      const missing = await tidemark('label', 'submit', 'no-such-workflow-anywhere', '--file', labels);
      assert.match(missing.stderr, /there is no workflow "no-such-workflow-anywhere" in namespace default/);

      const failing = await start({
        retrain: { image: 'tidemark/busybox:latest', command: ['sh', '-c', 'exit 3'], outputs: { model: 'model.pkl' } },
      });
      const batch = await waitingBatch(failing);
      await submitLabels(tw.client, failing.workflowId, {
        labels: Object.fromEntries(batch.samples.map((s) => [s.id, data.truth[s.id]!])),
      });
      await assert.rejects(failing.result());
      const late = await tidemark('label', 'submit', failing.workflowId, '--file', labels);
      assert.equal(late.exitCode, 1);
      assert.match(late.stderr, /is failed: round 1: retraining failed .*; it takes no more labels/);
    });
  });
});
