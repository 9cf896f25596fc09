import { strict as assert } from 'node:assert';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { readPipelineFile } from '../../client/prepare-pipeline.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { digitsRuns } from '../helpers/digits.js';
import { createTestWorker, leftoverContainers, uniqueId } from '../helpers/integration.js';

const PIPELINE = join(PROJECT_ROOT, 'examples', 'digits', 'pipeline.yaml');

describe('the digits example', () => {
  it('runs to completion: gather, preprocess, train and evaluate, with a classifier above 90% test accuracy', async () => {
    const tw = await createTestWorker();
    try {
      await tw.worker.runUntil(async () => {
        // A fresh seed, so that this run really executes rather than hitting the cache.
        const seed = Math.floor(Math.random() * 1e9);
        const handle = await startPipeline(tw.client, readPipelineFile(PIPELINE), {
          baseDir: dirname(PIPELINE),
          store: tw.plugin.deps.store,
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('digits'),
          params: { seed },
        });
        const result = await handle.result();
        assert.deepEqual(
          result.steps.map((s) => s.key),
          ['gather', 'preprocess', 'train', 'evaluate'],
        );
        const byKey = Object.fromEntries(result.steps.map((s) => [s.key, s]));
        assert.equal(byKey.gather!.metrics!.rows, 1797);
        assert.equal(byKey.preprocess!.state, 'succeeded');
        assert.ok(byKey.evaluate!.metrics!.accuracy! > 0.9, `accuracy ${byKey.evaluate!.metrics!.accuracy}`);
        const report = JSON.parse(
          (await tw.plugin.deps.store.getBytes(byKey.evaluate!.outputs!.report as never)).toString(),
        ) as { confusion: number[][] };
        assert.equal(report.confusion.length, 10);
        assert.deepEqual(await leftoverContainers(tw, handle.workflowId), []);

        // MLflow: the parent run and four child runs, with the step-reported metrics, and the
        // metric the train step logged itself through the MLflow client.
        const { child, metric } = await digitsRuns(handle.workflowId);
        assert.equal(metric('evaluate', 'accuracy'), byKey.evaluate!.metrics!.accuracy);
        assert.equal(metric('train', 'train_accuracy_logged_in_step'), byKey.train!.metrics!.train_accuracy);
        assert.equal(child('train').data.params?.find((p) => p.key === 'estimator')?.value, 'LogisticRegression');
        assert.equal(JSON.parse(child('preprocess').data.params!.find((p) => p.key === 'params')!.value).seed, seed);
      });
    } finally {
      await tw.close();
    }
  });
});
