/**
 * `npm run record-histories`: runs each long-lived workflow against the real stack (ensured
 * first) and records its history at the points where a deploy may find it: a labeling session
 * waiting for labels, retraining, after continue-as-new and completed; a monitor after a few
 * batches and after continue-as-new; a pipeline mid-run. The histories go to test/histories/,
 * where test/unit/replay-histories.test.ts replays them against the current workflow code, so a
 * change that would break a running workflow fails the build. Each point overwrites its own file;
 * other files there (histories kept from older code, see docs/workflow-changes.md) stay.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { labelsQuery, submitLabelsSignal, submitLabelsUpdate } from '../common/labeling-messages.js';
import { statusQuery } from '../common/messages.js';
import { startLabelingSession } from '../client/start-labeling-session.js';
import { startPipeline } from '../client/start-pipeline.js';
import { monitorBatchSignal, monitorCountQuery, type monitor } from '../workflows/monitor.js';
import { createTestWorker, labelledCsv, testConfig, uniqueId, type TestWorker } from '../test/helpers/integration.js';
import { eventually, labelingData, RETRAIN_PY, sessionSpec, waitingBatch } from '../test/helpers/labeling.js';
import { Stack } from './stack/stack.js';

// The workers' own lines only from warnings up (a rejected label, as recorded, is one).
Runtime.install({ logger: new DefaultLogger('WARN') });

const OUT = join(import.meta.dirname, '..', 'test', 'histories');
/** Every string of a history, with each payload's base64 data decoded too (where a secret would hide). */
function texts(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node, Buffer.from(node, 'base64').toString('utf8'));
  else if (node && typeof node === 'object') for (const v of Object.values(node)) texts(v, out);
  return out;
}

/**
 * Writes one run's history as test/histories/<name>.json: `{ workflowId, point, history }`, the
 * history in Temporal's JSON form (the workflow id is not in a history, and replay needs it for
 * the ids the workflow derives from it). Refuses one that holds the store's secret.
 */
async function save(tw: TestWorker, name: string, point: string, workflowId: string, runId: string): Promise<void> {
  const history = await tw.client.workflow.getHandle(workflowId, runId).fetchHistory();
  const json = JSON.parse(historyToJSON(history)) as unknown;
  if (texts(json).some((t) => t.includes(testConfig.minio.secretKey)))
    throw new Error(`the history of ${name} holds the MinIO secret; it is not written`);
  const file = join(OUT, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ workflowId, point, history: json }, null, 1)}\n`);
  console.log(`  ${relative(process.cwd(), file)}: ${history.events?.length ?? 0} events`);
}

const runIdOf = async (h: WorkflowHandle) => (await h.describe()).runId;

/** A session of two rounds: waiting with labels by signal and update, retraining, after continue-as-new, completed. */
async function labelingSession(tw: TestWorker): Promise<void> {
  const data = await labelingData(tw.plugin.deps.store, { seed: 5 });
  const spec = sessionSpec(data, uniqueId('history-labeling'), {
    stop: { rounds: 2 },
    // Slow enough to be caught while it retrains.
    retrain: {
      ...sessionSpec(data, 'x').retrain,
      command: ['python3', '-c', `import time; time.sleep(4)\n${RETRAIN_PY}`],
      cache: { enabled: false },
    },
  });
  const h = await startLabelingSession(tw.client, spec, {
    baseDir: process.cwd(),
    store: tw.plugin.deps.store,
    taskQueue: tw.taskQueue,
  });
  const run1 = await runIdOf(h);
  const ids = (await waitingBatch(h, 1)).samples.map((s) => s.id);
  const truth = (id: string) => data.truth[id]!;
  await h.signal(submitLabelsSignal, { labeler: 'signal', labels: { [ids[0]!]: truth(ids[0]!) } });
  await h.signal(submitLabelsSignal, { labeler: 'signal', labels: { ghost: 'a' } }); // rejected, remembered
  await h.executeUpdate(submitLabelsUpdate, {
    args: [{ labeler: 'update', labels: { [ids[1]!]: truth(ids[1]!), ghost: 'b' } }],
  });
  await eventually(
    () => h.query(labelsQuery),
    (l) => Object.keys(l).length === 2,
    30_000,
    'two labels',
  );
  await save(
    tw,
    'labeling-waiting-for-labels',
    'round 1 waits for labels: one label by signal, one rejected signal, an update with one label accepted and one rejected',
    h.workflowId,
    run1,
  );

  await h.executeUpdate(submitLabelsUpdate, {
    args: [{ labeler: 'update', labels: Object.fromEntries(ids.slice(2).map((id) => [id, truth(id)])) }],
  });
  await eventually(
    () => h.fetchHistory(),
    (history) => (history.events ?? []).some((e) => e.childWorkflowExecutionStartedEventAttributes),
    120_000,
    'the retrain pipeline to start',
  );
  await save(tw, 'labeling-retraining', 'round 1 is labeled and retrains: its child pipeline runs', h.workflowId, run1);

  const ids2 = (await waitingBatch(h, 2)).samples.map((s) => s.id);
  const run2 = await runIdOf(h);
  await h.signal(submitLabelsSignal, { labeler: 'signal', labels: { [ids2[0]!]: truth(ids2[0]!) } });
  await eventually(
    () => h.query(labelsQuery),
    (l) => Object.keys(l).length === 1,
    30_000,
    'a label in round 2',
  );
  await save(
    tw,
    'labeling-round-1-continued-as-new',
    'round 1 whole: retrained, evaluated, tracked, continued as new',
    h.workflowId,
    run1,
  );
  await save(
    tw,
    'labeling-after-continue-as-new',
    'round 2 (started by continue-as-new with carried refs) waits for labels, one given by signal',
    h.workflowId,
    run2,
  );

  await h.executeUpdate(submitLabelsUpdate, {
    args: [{ labels: Object.fromEntries(ids2.slice(1).map((id) => [id, truth(id)])) }],
  });
  await h.result();
  await save(tw, 'labeling-completed', 'round 2 whole: the session completed after its last round', h.workflowId, run2);
}

/** A monitor of three batches a run: after two batches, and after it continued as new. */
async function monitorWorkflow(tw: TestWorker): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'history-monitor-'));
  try {
    const put = async (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return tw.plugin.deps.store.put(join(dir, name), name);
    };
    const reference = await put('reference.csv', labelledCsv(400, 0.3, 1));
    const batches = [
      await put('b1.csv', labelledCsv(400, 0.3, 2)),
      await put('b2.csv', labelledCsv(400, 0.3, 3)),
      await put('b3.csv', labelledCsv(400, 0.3, 4)),
      await put('b4.csv', labelledCsv(400, 0.7, 5)),
    ];
    const h = await tw.client.workflow.start<typeof monitor>('monitor', {
      taskQueue: tw.taskQueue,
      workflowId: uniqueId('history-monitor'),
      args: [
        {
          name: 'history',
          checks: [{ plugin: 'feature-drift', config: { labelColumn: 'label' }, reference }],
          batchesPerRun: 3,
        },
      ],
    });
    const checked = (n: number) =>
      eventually(
        () => h.query(monitorCountQuery),
        (c) => c >= n,
        120_000,
        `${n} batches checked`,
      );
    for (const batch of batches.slice(0, 2)) await h.signal(monitorBatchSignal, { batch });
    await checked(2);
    await save(
      tw,
      'monitor-after-two-batches',
      'a monitor of three batches a run has checked two and waits for more',
      h.workflowId,
      h.firstExecutionRunId,
    );
    for (const batch of batches.slice(2)) await h.signal(monitorBatchSignal, { batch });
    await checked(4);
    await save(
      tw,
      'monitor-continued-as-new',
      "the monitor's first run whole: three batches, then continue-as-new",
      h.workflowId,
      h.firstExecutionRunId,
    );
    await save(
      tw,
      'monitor-after-continue-as-new',
      "the monitor's second run has checked a drifted batch and waits for more",
      h.workflowId,
      await runIdOf(h),
    );
    await h.terminate('histories recorded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A pipeline of two steps, while its second step runs. */
async function pipelineMidRun(tw: TestWorker): Promise<void> {
  const image = 'tidemark/busybox:latest';
  const h = await startPipeline(
    tw.client,
    {
      name: 'history-pipeline',
      steps: [
        {
          name: 'write',
          image,
          command: ['sh', '-c', 'echo hello > /outputs/text'],
          outputs: ['text'],
          cache: { enabled: false },
        },
        {
          name: 'wait',
          image,
          command: ['sh', '-c', 'sleep 4; wc -c < /inputs/text > /outputs/n'],
          inputs: { text: 'write.text' },
          outputs: ['n'],
          cache: { enabled: false },
        },
      ],
    },
    { baseDir: process.cwd(), store: tw.plugin.deps.store, taskQueue: tw.taskQueue },
  );
  await eventually(
    () => h.query(statusQuery),
    (s) => s.steps.some((step) => step.step === 'wait' && step.state === 'running'),
    120_000,
    'the second step to run',
  );
  await save(
    tw,
    'pipeline-mid-run',
    'a pipeline of two steps while its second step runs',
    h.workflowId,
    await runIdOf(h),
  );
  await h.result();
}

async function main(): Promise<void> {
  const stack = await Stack.ensure({ log: () => undefined });
  mkdirSync(OUT, { recursive: true });
  const tw = await createTestWorker();
  try {
    console.log(`recording histories on ${testConfig.temporal.address} (task queue ${tw.taskQueue}):`);
    await tw.worker.runUntil(async () => {
      await labelingSession(tw);
      await monitorWorkflow(tw);
      await pipelineMidRun(tw);
    });
  } finally {
    await tw.close();
    if (stack.started.length) console.log(`left running: ${stack.started.join(', ')} (npm run stack -- --stop)`);
  }
}

await main();
