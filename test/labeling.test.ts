import { strict as assert } from 'node:assert';
import type { WorkflowHandle } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import { pendingQuery, submitLabelsSignal, submitLabelsUpdate } from '../common/labeling-messages';
import { MlflowClient } from '../activities/tracking/mlflow-client';
import type { labelingSession } from '../workflows/labeling/labeling-session';
import { startLabelingSession } from '../workers/start-labeling-session';
import { createTestWorker, testConfig, uniqueId, type TestWorker } from './helpers';
import { eventually, labelingData, sessionSpec, type LabelingData } from './labeling-fixtures';

type Session = WorkflowHandle<typeof labelingSession>;

async function start(tw: TestWorker, spec: unknown, id = uniqueId('labeling')): Promise<Session> {
  return startLabelingSession(tw.client, spec, { baseDir: process.cwd(), store: tw.plugin.deps.store, taskQueue: tw.taskQueue, workflowId: id });
}

/** Waits until the session waits for labels in `round`, and returns its pending batch. */
async function waiting(h: Session, round: number) {
  return eventually(() => h.query(pendingQuery), (p) => p.phase === 'waiting' && p.round === round, 120_000, `round ${round} to wait for labels`);
}

async function csvRows(tw: TestWorker, ref: { uri: string; sha256: string; size: number; name: string; kind: 'file' | 'dir' }): Promise<Record<string, string>[]> {
  return parse((await tw.plugin.deps.store.getBytes(ref)).toString('utf8'), { columns: true }) as Record<string, string>[];
}

describe('labeling sessions', function () {
  this.timeout(600_000);
  let tw: TestWorker;
  let data: LabelingData;

  before(async () => {
    tw = await createTestWorker();
    data = await labelingData(tw.plugin.deps.store);
  });
  after(async () => tw?.close());

  it('runs two rounds with a scripted labeler: picks informative samples, merges labels, retrains, tracks and promotes, continuing as new', async () => {
    const name = uniqueId('lab2');
    await tw.worker.runUntil(async () => {
      const h = await start(tw, sessionSpec(data, name, { stop: { rounds: 2 }, register: { name: `${name}-model` } }));
      const firstRun = (await h.describe()).runId;
      const asked: string[] = [];
      for (const round of [1, 2]) {
        const pending = await waiting(h, round);
        assert.equal(pending.samples.length, 4);
        assert.deepEqual(pending.labelSet, ['a', 'b']);
        for (const s of pending.samples) {
          assert.ok(s.row && typeof s.row.f0 === 'number', 'tabular samples come with their row');
          assert.ok(!asked.includes(s.id), `sample ${s.id} was asked twice`);
        }
        asked.push(...pending.samples.map((s) => s.id));
        const desc = await h.describe();
        assert.equal(desc.searchAttributes.LabelingStatus?.[0], 'waiting');
        assert.equal(desc.searchAttributes.LabelingRound?.[0], round);
        assert.equal(desc.searchAttributes.LabelingPending?.[0], 4);
        const labels = Object.fromEntries(pending.samples.map((s) => [s.id, data.truth[s.id]!]));
        if (round === 1) {
          // through the update: answered with what was accepted
          const r = await h.executeUpdate(submitLabelsUpdate, { args: [{ labeler: 'scripted', labels }] });
          assert.deepEqual([...r.accepted].sort(), Object.keys(labels).sort());
          assert.deepEqual(r.rejected, []);
        } else {
          await h.signal(submitLabelsSignal, { labeler: 'scripted', labels });
        }
      }
      const result = await h.result();
      assert.equal(result.reason, 'rounds');
      assert.equal(result.rounds.length, 2);
      assert.notEqual((await h.describe()).runId, firstRun, 'the session continued as new between rounds');

      // Round 1 asked about the four samples the initial classifier was least sure of.
      assert.deepEqual(asked.slice(0, 4).sort(), data.leastCertain.slice(0, 4).sort());

      // Labels: none lost, in the ledger and in the new labeled set.
      const ledger = await csvRows(tw, result.ledger!);
      assert.deepEqual(ledger.map((r) => r.id).sort(), [...asked].sort());
      for (const r of ledger) {
        assert.equal(r.label, data.truth[r.id!]);
        assert.equal(r.labeler, 'scripted');
      }
      const labeled = await csvRows(tw, result.labeled);
      assert.equal(labeled.length, data.labeledRows + 8);
      assert.deepEqual(Object.keys(labeled[0]!), ['f0', 'f1', 'f2', 'f3', 'label']);
      for (const [i, round] of result.rounds.entries()) {
        assert.equal(round.round, i + 1);
        assert.equal(round.labeled, 4);
        assert.equal(round.closed, 'complete');
        assert.equal(round.labeledRows, data.labeledRows + 4 * (i + 1));
        assert.ok(round.metric! > 0.8, `round ${round.round} accuracy ${round.metric}`);
        assert.ok(round.modelVersion, 'each retrained model is registered');
      }
      assert.ok(result.rounds[0]!.promoted, 'the first model becomes the champion');

      // MLflow: one session run with a metric point per round and the labels of each round.
      const mlflow = new MlflowClient(testConfig.mlflow.trackingUri);
      const exp = await mlflow.getExperimentByName(name);
      const runs = await mlflow.searchRuns({ experimentIds: [exp!], filter: `tags.\`tidemark.labeling_session\` = '${h.workflowId}'` });
      assert.equal(runs.length, 1);
      const history = await mlflow.metricHistory(runs[0]!.info.run_id, 'accuracy');
      assert.deepEqual(history.map((m) => m.step).sort(), [1, 2]);
      const files = (await mlflow.listArtifacts(runs[0]!.info.run_id, 'labels')).map((f) => f.path).sort();
      assert.deepEqual(files, ['labels/round-1.csv', 'labels/round-2.csv']);
      const champion = await mlflow.getModelVersionByAlias(`${name}-model`, 'champion');
      assert.ok(champion, 'a champion is set');

      // History stays small: every run of the session is a handful of events.
      const runIds = await eventually(async () => {
        const ids: string[] = [];
        for await (const wf of tw.client.workflow.list({ query: `WorkflowId = '${h.workflowId}'` })) ids.push(wf.runId);
        return ids;
      }, (ids) => ids.length === 2, 30_000, 'both runs to be listed');
      for (const runId of runIds) {
        const events = (await tw.client.workflow.getHandle(h.workflowId, runId).fetchHistory()).events ?? [];
        assert.ok(events.length > 5 && events.length < 80, `run ${runId} has ${events.length} events`);
      }
    });
  });
});
