import { strict as assert } from 'node:assert';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { parse } from 'csv-parse/sync';
import {
  labelsQuery,
  pendingQuery,
  sessionQuery,
  submitLabelsSignal,
  submitLabelsUpdate,
} from '../../common/labeling-messages.js';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import type { labelingSession } from '../../workflows/labeling/labeling-session.js';
import { startLabelingSession } from '../../client/start-labeling-session.js';
import { createTestWorker, testConfig, uniqueId, type TestWorker } from '../helpers/integration.js';
import { eventually, labelingData, sessionSpec, type LabelingData } from '../helpers/labeling.js';

type Session = WorkflowHandle<typeof labelingSession>;

async function start(tw: TestWorker, spec: unknown, id = uniqueId('labeling')): Promise<Session> {
  return startLabelingSession(tw.client, spec, {
    baseDir: process.cwd(),
    store: tw.plugin.deps.store,
    taskQueue: tw.taskQueue,
    workflowId: id,
  });
}

/** Waits until the session waits for labels in `round`, and returns its pending batch. */
async function waiting(h: Session, round: number) {
  return eventually(
    () => h.query(pendingQuery),
    (p) => p.phase === 'waiting' && p.round === round,
    120_000,
    `round ${round} to wait for labels`,
  );
}

async function csvRows(
  tw: TestWorker,
  ref: { uri: string; sha256: string; size: number; name: string; kind: 'file' | 'dir' },
): Promise<Record<string, string>[]> {
  return parse((await tw.plugin.deps.store.getBytes(ref)).toString('utf8'), { columns: true }) as Record<
    string,
    string
  >[];
}

describe('labeling sessions', function () {
  this.timeout(600_000);
  let tw: TestWorker;
  let data: LabelingData;

  // A worker runs once: each test gets a fresh one on a task queue of its own.
  const withWorker = async (fn: () => Promise<void>) => {
    tw = await createTestWorker();
    try {
      await tw.worker.runUntil(fn);
    } finally {
      await tw.close();
    }
  };

  before(async () => {
    const w = await createTestWorker();
    data = await labelingData(w.plugin.deps.store);
    await w.close();
  });

  it('runs two rounds with a scripted labeler: picks informative samples, merges labels, retrains, tracks and promotes, continuing as new', async () => {
    const name = uniqueId('lab2');
    await withWorker(async () => {
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
      const runs = await mlflow.searchRuns({
        experimentIds: [exp!],
        filter: `tags.\`tidemark.labeling_session\` = '${h.workflowId}'`,
      });
      assert.equal(runs.length, 1);
      const history = await mlflow.metricHistory(runs[0]!.info.run_id, 'accuracy');
      assert.deepEqual(history.map((m) => m.step).sort(), [1, 2]);
      const files = (await mlflow.listArtifacts(runs[0]!.info.run_id, 'labels')).map((f) => f.path).sort();
      assert.deepEqual(files, ['labels/round-1.csv', 'labels/round-2.csv']);
      const champion = await mlflow.getModelVersionByAlias(`${name}-model`, 'champion');
      assert.ok(champion, 'a champion is set');

      // History stays small: every run of the session is a handful of events.
      const runIds = await eventually(
        async () => {
          const ids: string[] = [];
          for await (const wf of tw.client.workflow.list({ query: `WorkflowId = '${h.workflowId}'` }))
            ids.push(wf.runId);
          return ids;
        },
        (ids) => ids.length === 2,
        30_000,
        'both runs to be listed',
      );
      for (const runId of runIds) {
        const events = (await tw.client.workflow.getHandle(h.workflowId, runId).fetchHistory()).events ?? [];
        assert.ok(events.length > 5 && events.length < 80, `run ${runId} has ${events.length} events`);
      }
    });
  });

  it('validates submissions: the update rejects each bad case with its reason, and a repeated signal changes nothing', async () => {
    await withWorker(async () => {
      const h = await start(tw, sessionSpec(data, uniqueId('labval'), { tracking: false }));
      const pending = await waiting(h, 1);
      const [s1, s2] = pending.samples.map((s) => s.id) as [string, string];
      const rejectedWith = async (payload: unknown, reason: RegExp) => {
        await assert.rejects(h.executeUpdate(submitLabelsUpdate, { args: [payload as never] }), (err: Error) => {
          assert.ok(err instanceof WorkflowUpdateFailedError, `${err.name}: ${err.message}`);
          assert.match((err.cause as Error).message, reason);
          return true;
        });
      };
      await rejectedWith({ labels: { nope: 'a' } }, /unknown sample id "nope": round 1 asks for/);
      await rejectedWith({ labels: { [s1]: 'c' } }, /label "c" is not in the label set \(a, b\)/);
      await rejectedWith({ labels: 'a' }, /malformed submission .*labels/);
      await rejectedWith({ labels: {} }, /holds no labels/);
      assert.deepEqual(await h.query(labelsQuery), {}, 'a rejected update records nothing');

      // A mixed submission: the good label is taken, the bad one named with its reason.
      const mixed = await h.executeUpdate(submitLabelsUpdate, {
        args: [{ labeler: 'ann', labels: { [s1]: 'a', ghost: 'b' } }],
      });
      assert.deepEqual(mixed.accepted, [s1]);
      assert.deepEqual(
        mixed.rejected.map((r) => r.id),
        ['ghost'],
      );
      assert.equal(mixed.pending, 3);
      await rejectedWith(
        { labels: { [s1]: 'b' } },
        new RegExp(`sample "${s1}" is already labeled "a" by ann; send overwrite: true`),
      );
      const again = await h.executeUpdate(submitLabelsUpdate, { args: [{ labels: { [s1]: 'a' } }] });
      assert.deepEqual(again.unchanged, [s1], 'the same label again is unchanged, not an error');
      const over = await h.executeUpdate(submitLabelsUpdate, {
        args: [{ labeler: 'bob', labels: { [s1]: 'b' }, overwrite: true }],
      });
      assert.deepEqual(over.accepted, [s1]);

      // A signal sent twice: the second changes nothing (same labels, same labeler, same time).
      await h.signal(submitLabelsSignal, { labeler: 'cy', labels: { [s2]: 'a' } });
      const once = await eventually(
        () => h.query(labelsQuery),
        (l) => s2 in l,
      );
      await h.signal(submitLabelsSignal, { labeler: 'cy', labels: { [s2]: 'a' } });
      await h.signal(submitLabelsSignal, { labels: { [s2]: 'c' } }); // a marker: rejected, recorded after the repeat
      const status = await eventually(
        () => h.query(sessionQuery),
        (st) => st.recentRejections.length > 0,
      );
      assert.deepEqual(await h.query(labelsQuery), once);
      assert.deepEqual(once[s1], { label: 'b', labeler: 'bob', at: once[s1]!.at });
      assert.deepEqual(
        status.recentRejections.map((r) => r.id),
        [s2],
        'only the bad signal was rejected, not the repeat',
      );
      assert.equal((await h.query(pendingQuery)).samples.length, 2);
      await h.terminate('test done');
    });
  });

  it('at the deadline, follows the partial-batch policy: proceed retrains with what arrived', async () => {
    await withWorker(async () => {
      const h = await start(tw, sessionSpec(data, uniqueId('labproceed'), { tracking: false, deadline: '4s' }));
      const pending = await waiting(h, 1);
      const two = pending.samples.slice(0, 2).map((s) => s.id);
      await h.executeUpdate(submitLabelsUpdate, {
        args: [{ labels: Object.fromEntries(two.map((id) => [id, data.truth[id]!])) }],
      });
      const result = await h.result();
      assert.equal(result.reason, 'rounds');
      assert.deepEqual(
        { ...result.rounds[0], pipelineWorkflowId: undefined, metric: undefined },
        {
          round: 1,
          asked: 4,
          labeled: 2,
          labeledRows: data.labeledRows + 2,
          closed: 'deadline',
          pipelineWorkflowId: undefined,
          metric: undefined,
        },
      );
      assert.ok(result.rounds[0]!.metric! > 0.8, 'it retrained on the partial batch');
      assert.deepEqual((await csvRows(tw, result.ledger!)).map((r) => r.id).sort(), [...two].sort());
    });
  });

  it('at the deadline, follows the partial-batch policy: stop keeps the labels and ends, after durable reminders', async () => {
    await withWorker(async () => {
      const h = await start(
        tw,
        sessionSpec(data, uniqueId('labstop'), {
          tracking: false,
          deadline: '5s',
          remindEvery: '1500ms',
          partial: 'stop',
          stop: { rounds: 5 },
        }),
      );
      const pending = await waiting(h, 1);
      await h.signal(submitLabelsSignal, { labels: { [pending.samples[0]!.id]: data.truth[pending.samples[0]!.id]! } });
      await eventually(
        () => h.describe(),
        (d) => Number(d.searchAttributes.LabelingReminders?.[0] ?? 0) >= 1,
        10_000,
        'a reminder',
      );
      const result = await h.result();
      assert.equal(result.reason, 'deadline-stop');
      assert.equal(result.rounds[0]!.closed, 'deadline');
      assert.equal(result.rounds[0]!.pipelineWorkflowId, undefined, 'no retraining');
      assert.deepEqual(
        (await csvRows(tw, result.ledger!)).map((r) => r.id),
        [pending.samples[0]!.id],
        'the label that arrived is stored',
      );
      assert.equal((await csvRows(tw, result.labeled)).length, data.labeledRows + 1);
      assert.equal((await h.describe()).searchAttributes.LabelingStatus?.[0], 'stopped');
    });
  });

  it('at the deadline, follows the partial-batch policy: extend waits once more for the rest', async () => {
    await withWorker(async () => {
      const h = await start(
        tw,
        sessionSpec(data, uniqueId('labextend'), { tracking: false, deadline: '4s', partial: 'extend', extensions: 1 }),
      );
      const pending = await waiting(h, 1);
      const ids = pending.samples.map((s) => s.id);
      await h.signal(submitLabelsSignal, { labels: { [ids[0]!]: data.truth[ids[0]!]! } });
      const firstDeadline = pending.deadline!;
      await eventually(
        () => h.query(pendingQuery),
        (p) => p.deadline! > firstDeadline,
        15_000,
        'the deadline to move',
      );
      await h.signal(submitLabelsSignal, {
        labels: Object.fromEntries(ids.slice(1).map((id) => [id, data.truth[id]!])),
      });
      const result = await h.result();
      assert.equal(result.rounds[0]!.closed, 'complete');
      assert.equal(result.rounds[0]!.labeled, 4);
    });
  });

  it('loses no label when the worker restarts while the session waits', async () => {
    const spec = sessionSpec(data, uniqueId('labrestart'), { tracking: false });
    let workflowId = '';
    let ids: string[] = [];
    await withWorker(async () => {
      const h = await start(tw, spec);
      workflowId = h.workflowId;
      ids = (await waiting(h, 1)).samples.map((s) => s.id);
      await h.executeUpdate(submitLabelsUpdate, {
        args: [{ labeler: 'before', labels: { [ids[0]!]: data.truth[ids[0]!]!, [ids[1]!]: data.truth[ids[1]!]! } }],
      });
    });
    // The first worker is gone. A second one for the same task queue; until it runs, a signal waits in history.
    const second = await createTestWorker({ taskQueue: tw.taskQueue });
    try {
      const h = second.client.workflow.getHandle<typeof labelingSession>(workflowId);
      await h.signal(submitLabelsSignal, { labeler: 'between', labels: { [ids[2]!]: data.truth[ids[2]!]! } });
      await second.worker.runUntil(async () => {
        const p = await eventually(
          () => h.query(pendingQuery),
          (q) => q.labeled === 3,
          60_000,
          'the labels to be there',
        );
        assert.deepEqual(
          p.samples.map((s) => s.id),
          [ids[3]],
        );
        await h.signal(submitLabelsSignal, { labeler: 'after', labels: { [ids[3]!]: data.truth[ids[3]!]! } });
        const result = await h.result();
        const ledger = await csvRows(second, result.ledger!);
        assert.deepEqual(
          ledger.map((r) => [r.id, r.labeler]).sort(),
          [
            [ids[0], 'before'],
            [ids[1], 'before'],
            [ids[2], 'between'],
            [ids[3], 'after'],
          ].sort(),
        );
      });
    } finally {
      await second.close();
    }
  });

  it('keeps the labels when the session is cancelled mid-wait, and names where they are when retraining fails; LabelingStatus says how each closed', async () => {
    await withWorker(async () => {
      const h = await start(tw, sessionSpec(data, uniqueId('labcancel'), { tracking: false }));
      const ids = (await waiting(h, 1)).samples.map((s) => s.id);
      await h.executeUpdate(submitLabelsUpdate, { args: [{ labels: { [ids[0]!]: data.truth[ids[0]!]! } }] });
      await h.cancel();
      await assert.rejects(h.result());
      const saved = (await h.describe()).memo?.savedOnCancel as {
        ledger: { uri: string; sha256: string; size: number; name: string; kind: 'file' };
      };
      assert.deepEqual(
        (await csvRows(tw, saved.ledger)).map((r) => r.id),
        [ids[0]],
        'the accepted label was stored',
      );
      assert.equal((await h.describe()).searchAttributes.LabelingStatus?.[0], 'cancelled');

      const failing = await start(
        tw,
        sessionSpec(data, uniqueId('labfail'), {
          tracking: false,
          retrain: {
            image: 'tidemark/busybox:latest',
            args: ['sh', '-c', 'echo no luck; exit 3'],
            outputs: { model: 'model' },
          },
        }),
      );
      const fids = (await waiting(failing, 1)).samples.map((s) => s.id);
      await failing.signal(submitLabelsSignal, { labels: Object.fromEntries(fids.map((id) => [id, data.truth[id]!])) });
      await assert.rejects(failing.result(), (err: Error) => {
        const msg = (err.cause as Error).message;
        assert.match(msg, /round 1: retraining failed .*exited with code 3/s);
        assert.match(msg, /labeled set s3:\/\/.* ledger s3:\/\/.*start a new session with that labeled set/s);
        return true;
      });
      assert.equal((await failing.describe()).searchAttributes.LabelingStatus?.[0], 'failed');
    });
  });
});
