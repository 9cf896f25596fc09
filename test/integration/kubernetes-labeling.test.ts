import { strict as assert } from 'node:assert';
import { pendingQuery, submitLabelsSignal } from '../../common/labeling-messages.js';
import { startLabelingSession } from '../../client/start-labeling-session.js';
import { uniqueId } from '../helpers/integration.js';
import { createKubernetesTestWorker, watchCreated } from '../helpers/kubernetes.js';
import { eventually, labelingData, sessionSpec } from '../helpers/labeling.js';

describe('a labeling session on Kubernetes', function () {
  this.timeout(600_000);

  it('retrains and evaluates in pods on the cluster, and the new model is good', async () => {
    const tw = await createKubernetesTestWorker();
    const created = await watchCreated(undefined);
    try {
      const data = await labelingData(tw.plugin.deps.store);
      const name = uniqueId('kube-lab');
      // Without the cache: an earlier run with the same data must not spare this one its pods.
      const base = sessionSpec(data, name);
      const result = await tw.worker.runUntil(async () => {
        const h = await startLabelingSession(
          tw.client,
          sessionSpec(data, name, {
            retrain: { ...base.retrain, cache: { enabled: false } },
            evaluate: { ...base.evaluate!, cache: { enabled: false } },
          }),
          {
            baseDir: process.cwd(),
            store: tw.plugin.deps.store,
            taskQueue: tw.taskQueue,
            workflowId: uniqueId('kube-labeling'),
          },
        );
        const pending = await eventually(
          () => h.query(pendingQuery),
          (p) => p.phase === 'waiting' && p.round === 1,
          120_000,
          'round 1 to wait for labels',
        );
        const labels = Object.fromEntries(pending.samples.map((s) => [s.id, data.truth[s.id]!]));
        await h.signal(submitLabelsSignal, { labeler: 'scripted', labels });
        return h.result();
      });
      const [round] = result.rounds;
      assert.equal(round!.labeledRows, data.labeledRows + 4);
      assert.ok(round!.metric! > 0.8, `accuracy ${round!.metric}`);
      const retrain = round!.pipelineWorkflowId!;
      assert.ok(retrain, 'the round ran its retraining pipeline');
      const jobs = [...created.jobs.values()]
        .filter((j) => j.workflowId === retrain)
        .map((j) => j.step)
        .sort();
      assert.deepEqual(jobs, ['evaluate', 'retrain'], 'retrain and evaluate ran as Jobs on the cluster');
    } finally {
      created.stop();
      await tw.close();
    }
  });
});
