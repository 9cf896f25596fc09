import { strict as assert } from 'node:assert';
import { dirname, join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { readPipelineFile } from '../../client/prepare-pipeline.js';
import { startPipeline } from '../../client/start-pipeline.js';
import type { PipelineResult } from '../../workflows/pipeline/pipeline.js';
import { digitsRuns } from '../helpers/digits.js';
import { createTestWorker, uniqueId, type TestWorker } from '../helpers/integration.js';
import { createKubernetesTestWorker, watchCreated } from '../helpers/kubernetes.js';

const PIPELINE = join(PROJECT_ROOT, 'examples', 'digits', 'pipeline.yaml');

/** The digits pipeline with every step's cache switched as asked. */
function digits(cache: { enabled: boolean; version?: string }): unknown {
  const spec = readPipelineFile(PIPELINE) as { steps: Record<string, unknown>[] };
  return { ...spec, steps: spec.steps.map((s) => ({ ...s, cache })) };
}

async function runDigits(
  tw: TestWorker,
  spec: unknown,
  seed: number,
  workflowId = uniqueId('digits'),
): Promise<PipelineResult> {
  const handle = await startPipeline(tw.client, spec, {
    baseDir: dirname(PIPELINE),
    store: tw.plugin.deps.store,
    taskQueue: tw.taskQueue,
    workflowId,
    params: { seed },
  });
  return handle.result();
}

/** Each step's outputs as name -> sha256. */
const hashes = (result: PipelineResult) =>
  Object.fromEntries(
    result.steps.map((s) => [
      s.key,
      Object.fromEntries(Object.entries(s.outputs ?? {}).map(([k, r]) => [k, (r as { sha256: string }).sha256])),
    ]),
  );

describe('the digits example on Kubernetes', function () {
  this.timeout(900_000);

  it('produces the same outputs (sha256) as on Docker, is tracked in MLflow the same way, and a second run is served from the cache with no Job', async () => {
    const seed = Math.floor(Math.random() * 1e9);
    // On Docker, without the cache, so that nothing it stores serves the Kubernetes run.
    const docker = await createTestWorker();
    const onDocker = await docker.worker
      .runUntil(() => runDigits(docker, digits({ enabled: false }), seed))
      .finally(() => docker.close());

    // On the cluster, with a cache version of its own: every step runs in a pod and stores its result.
    const version = uniqueId('k8s');
    const tw = await createKubernetesTestWorker();
    try {
      await tw.worker.runUntil(async () => {
        const workflowId = uniqueId('digits-k8s');
        const onKubernetes = await runDigits(tw, digits({ enabled: true, version }), seed, workflowId);
        assert.deepEqual(
          onKubernetes.steps.map((s) => [s.key, s.state]),
          [
            ['gather', 'succeeded'],
            ['preprocess', 'succeeded'],
            ['train', 'succeeded'],
            ['evaluate', 'succeeded'],
          ],
        );
        assert.deepEqual(hashes(onKubernetes), hashes(onDocker), 'every output has the same bytes');
        const metrics = (r: PipelineResult) => r.steps.map((s) => s.metrics);
        assert.deepEqual(metrics(onKubernetes), metrics(onDocker));

        // MLflow: the parent run and four child runs, with the step-reported metrics, and the
        // metric the train step logged itself from its pod.
        const { metric } = await digitsRuns(workflowId);
        const byKey = Object.fromEntries(onKubernetes.steps.map((s) => [s.key, s]));
        assert.equal(metric('evaluate', 'accuracy'), byKey.evaluate!.metrics!.accuracy);
        assert.equal(metric('train', 'train_accuracy_logged_in_step'), byKey.train!.metrics!.train_accuracy);

        // Again: all from the cache, and no Job is created.
        const again = uniqueId('digits-k8s');
        const created = await watchCreated(again);
        try {
          const cached = await runDigits(tw, digits({ enabled: true, version }), seed, again);
          assert.deepEqual(
            cached.steps.map((s) => s.state),
            ['cached', 'cached', 'cached', 'cached'],
          );
          assert.deepEqual(hashes(cached), hashes(onKubernetes));
          assert.equal(created.jobs.size, 0, 'no Job was created');
        } finally {
          created.stop();
        }
      });
    } finally {
      await tw.close();
    }
  });
});
