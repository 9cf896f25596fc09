import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { WorkflowFailedError } from '@temporalio/client';
import { statusQuery } from '../../common/messages.js';
import { PipelineSpecError } from '../../common/pipeline-spec.js';
import { startPipeline } from '../../client/start-pipeline.js';
import {
  containersCreated,
  createTestWorker,
  leftoverContainers,
  uniqueId,
  type TestWorker,
} from '../helpers/integration.js';

const BUSYBOX = 'tidemark/busybox:latest';
const sh = (script: string) => ['sh', '-c', script];

/** a -> (b, c) -> d, each writing text and a metric. */
function diamond(name: string, greeting = 'hi') {
  return {
    name,
    params: { greeting, salt: name },
    maxParallel: 2,
    steps: [
      {
        name: 'a',
        image: BUSYBOX,
        args: sh(
          'echo "${params.greeting} ${params.salt}" > /outputs/out.txt; echo \'{"lines": 1}\' > /outputs/metrics.json',
        ),
        outputs: { out: 'out.txt' },
      },
      {
        name: 'b',
        image: BUSYBOX,
        inputs: { x: 'a.out' },
        args: sh('tr a-z A-Z < /inputs/x > /outputs/up.txt'),
        outputs: { up: 'up.txt' },
      },
      {
        name: 'c',
        image: BUSYBOX,
        inputs: { x: 'a.out' },
        args: sh('rev < /inputs/x > /outputs/rev.txt; cat /inputs/params.json | tee -a /outputs/rev.txt'),
        params: { mode: 'reverse' },
        outputs: { rev: 'rev.txt' },
      },
      {
        name: 'd',
        image: BUSYBOX,
        inputs: { up: 'b.up', rev: 'c.rev' },
        args: sh('mkdir -p /outputs/both && cat /inputs/up /inputs/rev > /outputs/both/all.txt'),
        outputs: { both: 'both' },
      },
    ],
  };
}

/** The attempt on which each runStep activity of a workflow last started (a retry shows as 2, 3, …). */
async function runStepAttempts(handle: {
  fetchHistory(): Promise<{ events?: HistoryEvent[] | null }>;
}): Promise<number[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runStep')
      .map((e) => String(e.eventId)),
  );
  return events
    .filter(
      (e) =>
        e.activityTaskStartedEventAttributes &&
        scheduled.has(String(e.activityTaskStartedEventAttributes.scheduledEventId)),
    )
    .map((e) => e.activityTaskStartedEventAttributes!.attempt!);
}
type HistoryEvent = {
  eventId?: unknown;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskStartedEventAttributes?: { scheduledEventId?: unknown; attempt?: number | null } | null;
};

describe('the pipeline workflow', () => {
  let tw: TestWorker;
  // A worker runs once: each test gets its own (the workflow bundle is built once and shared).
  beforeEach(async () => {
    tw = await createTestWorker();
  });
  afterEach(async () => {
    await tw?.close();
  });

  const start = (spec: unknown, params?: Record<string, unknown>, workflowId = uniqueId('pipe')) =>
    startPipeline(tw.client, spec, {
      baseDir: tmpdir(),
      store: tw.plugin.deps.store,
      taskQueue: tw.taskQueue,
      workflowId,
      params,
    });

  it('runs a DAG, passes outputs downstream through MinIO, and reports every step in the status query', async () => {
    const spec = diamond(uniqueId('diamond'));
    const handle = await start(spec);
    const [result, status] = await tw.worker.runUntil(
      async () => [await handle.result(), await handle.query(statusQuery)] as const,
    );
    const d = result.steps.find((s) => s.key === 'd')!;
    assert.equal(d.state, 'succeeded');
    const both = d.outputs!.both as { kind: string };
    assert.equal(both.kind, 'dir');
    const a = result.steps.find((s) => s.key === 'a')!;
    assert.deepEqual(a.metrics, { lines: 1 });
    const bytes = await tw.plugin.deps.store.getBytes(a.outputs!.out as never);
    assert.equal(bytes.toString(), `hi ${spec.name}\n`);
    assert.equal(status.state, 'succeeded');
    assert.deepEqual(
      status.steps.map((s) => [s.key, s.state]),
      [
        ['a', 'succeeded'],
        ['b', 'succeeded'],
        ['c', 'succeeded'],
        ['d', 'succeeded'],
      ],
    );
    for (const s of status.steps) assert.ok(s.durationMs! > 0 && s.log, `${s.key} has a duration and a log`);
    assert.deepEqual(await leftoverContainers(tw, handle.workflowId), []);
  });

  it('serves a second identical run entirely from the cache, starting no container', async () => {
    const spec = diamond(uniqueId('cached'));
    await tw.worker.runUntil(async () => {
      await (await start(spec)).result();
      const t0 = Date.now();
      const second = await start(spec);
      const result = await second.result();
      assert.deepEqual(
        result.steps.map((s) => s.state),
        ['cached', 'cached', 'cached', 'cached'],
      );
      assert.equal(await containersCreated(second.workflowId, t0), 0);
    });
  });

  it('reruns only the steps downstream of a changed param', async () => {
    const spec = {
      ...diamond(uniqueId('param')),
      steps: diamond('x').steps.map((s) =>
        s.name === 'c' ? { ...s, params: { mode: '${params.greeting}', salt: '${params.salt}' } } : s,
      ),
    };
    spec.steps[0]!.args = sh('echo constant > /outputs/out.txt');
    await tw.worker.runUntil(async () => {
      await (await start(spec)).result();
      const t0 = Date.now();
      const changed = await start(spec, { greeting: 'hello' });
      const result = await changed.result();
      assert.deepEqual(
        result.steps.map((s) => [s.key, s.state]),
        [
          ['a', 'cached'],
          ['b', 'cached'],
          ['c', 'succeeded'],
          ['d', 'succeeded'],
        ],
      );
      assert.equal(await containersCreated(changed.workflowId, t0), 2);
    });
  });

  it('fails the workflow with the exit code and the tail of the log when a step fails', async () => {
    const spec = {
      name: uniqueId('fails'),
      steps: [
        { name: 'ok', image: BUSYBOX, args: sh('echo fine > /outputs/o'), outputs: ['o'], cache: { enabled: false } },
        {
          name: 'boom',
          image: BUSYBOX,
          inputs: { o: 'ok.o' },
          args: sh('echo "reading the data"; echo "something broke: disk on fire" >&2; exit 3'),
          retries: 1,
        },
        { name: 'after', image: BUSYBOX, inputs: { o: 'ok.o' }, args: sh('sleep 30'), when: 'boom.metrics.x > 0' },
      ],
    };
    const handle = await start(spec);
    const [err, status] = await tw.worker.runUntil(
      async () =>
        [
          await handle.result().then(
            () => undefined,
            (e: unknown) => e,
          ),
          await handle.query(statusQuery),
        ] as const,
    );
    assert.ok(err instanceof WorkflowFailedError);
    const message = String(err.cause?.message);
    assert.match(message, /step "boom".*exited with code 3/s);
    assert.match(message, /something broke: disk on fire/);
    const boom = status.steps.find((s) => s.key === 'boom')!;
    assert.equal(boom.state, 'failed');
    assert.equal(boom.exitCode, 3);
    assert.equal(boom.attempt, 1, 'retried once');
    assert.equal(status.steps.find((s) => s.key === 'after')!.state, 'skipped');
    assert.deepEqual(await leftoverContainers(tw, handle.workflowId), []);
  });

  it('leaves no container behind when a running pipeline is cancelled', async () => {
    const spec = {
      name: uniqueId('cancel'),
      steps: [{ name: 'long', image: BUSYBOX, args: sh('sleep 300'), cache: { enabled: false } }],
    };
    const handle = await start(spec);
    await tw.worker.runUntil(async () => {
      for (let i = 0; i < 100 && (await leftoverContainers(tw, handle.workflowId)).length === 0; i++)
        await new Promise((r) => setTimeout(r, 200));
      assert.equal((await leftoverContainers(tw, handle.workflowId)).length, 1, 'the step container runs');
      await handle.cancel();
      await handle.result().catch(() => undefined);
      assert.equal((await handle.query(statusQuery)).state, 'cancelled');
    });
    assert.deepEqual(await leftoverContainers(tw, handle.workflowId), []);
  });

  it('rejects an invalid spec before anything starts, naming each problem', async () => {
    const bad = {
      name: 'bad',
      steps: [
        { name: 'a', image: BUSYBOX, outputs: { x: '../../etc' }, resources: { memoryMiB: -5 } },
        { name: 'b', image: BUSYBOX, inputs: { i: 'nope.out' } },
      ],
    };
    await assert.rejects(
      start(bad),
      (err: unknown) => err instanceof PipelineSpecError && err.problems.length === 3 && /nope/.test(err.message),
    );
  });

  it('fails clearly and without retrying when an input artifact is missing from the store, leaving no container', async () => {
    const ghost = {
      uri: `s3://tidemark/cas/sha256/00/${'0'.repeat(64)}`,
      sha256: '0'.repeat(64),
      size: 5,
      name: 'ghost',
      kind: 'file' as const,
    };
    const spec = {
      name: uniqueId('noinput'),
      steps: [
        {
          name: 'x',
          image: BUSYBOX,
          inputs: { data: { artifact: ghost } },
          args: sh('cat /inputs/data'),
          cache: { enabled: false },
        },
      ],
    };
    const handle = await start(spec);
    const err = await tw.worker.runUntil(
      handle.result().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.match(
      String(err.cause?.message),
      /artifact "ghost" \(s3:\/\/tidemark\/cas\/sha256\/00\/0+\) is not in the store/,
    );
    assert.deepEqual(await runStepAttempts(handle), [1], 'not retried');
    assert.deepEqual(await leftoverContainers(tw, handle.workflowId), []);
  });

  it('fails clearly and without retrying when the image does not exist', async () => {
    const spec = { name: uniqueId('noimage'), steps: [{ name: 'x', image: 'tidemark/does-not-exist:1' }] };
    const handle = await start(spec);
    const err = await tw.worker.runUntil(
      handle.result().then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.ok(err instanceof WorkflowFailedError);
    assert.match(String(err.cause?.message), /image "tidemark\/does-not-exist:1" does not exist/);
    assert.deepEqual(await runStepAttempts(handle), [1], 'one attempt: a missing image is not retried');
  });
});

describe('the pipeline workflow, fanning out', () => {
  it('maps a step over a list within maxParallel, hands the outputs downstream as a folder, and runs nested pipelines as child workflows', async () => {
    const tw = await createTestWorker();
    try {
      await tw.worker.runUntil(async () => {
        const spec = {
          name: uniqueId('fan'),
          params: { words: ['alpha', 'beta', 'gamma', 'delta', 'epsilon'] },
          maxParallel: 2,
          steps: [
            {
              name: 'each',
              image: BUSYBOX,
              map: { over: '${params.words}', as: 'word' },
              args: sh('sleep 1; echo "${word}" > /outputs/w.txt'),
              outputs: { w: 'w.txt' },
              cache: { enabled: false },
            },
            {
              name: 'sub',
              inputs: { words: 'each.w' },
              pipeline: {
                name: 'joiner',
                inputs: { words: { artifacts: [] } },
                outputs: { joined: 'join.all' },
                steps: [
                  {
                    name: 'join',
                    image: BUSYBOX,
                    inputs: { words: 'inputs.words' },
                    args: sh(
                      'cat /inputs/words/0 /inputs/words/1 /inputs/words/2 /inputs/words/3 /inputs/words/4 > /outputs/all.txt',
                    ),
                    outputs: { all: 'all.txt' },
                  },
                ],
              },
            },
          ],
        };
        const handle = await startPipeline(tw.client, spec, {
          baseDir: tmpdir(),
          store: tw.plugin.deps.store,
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('fan'),
        });
        const result = await handle.result();
        const items = result.steps.filter((s) => s.step === 'each' && s.mapIndex !== undefined);
        assert.equal(items.length, 5);
        // Never more than maxParallel items at once.
        const events = items
          .flatMap(
            (s) =>
              [
                [s.startedAt!, 1],
                [s.endedAt!, -1],
              ] as const,
          )
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        let running = 0;
        let peak = 0;
        for (const [, delta] of events) peak = Math.max(peak, (running += delta));
        assert.ok(peak <= 2, `at most 2 at once, saw ${peak}`);
        const sub = result.steps.find((s) => s.key === 'sub')!;
        assert.equal(sub.childWorkflowId, `${handle.workflowId}/sub`);
        const joined = await tw.plugin.deps.store.getBytes(sub.outputs!.joined as never);
        assert.equal(joined.toString(), 'alpha\nbeta\ngamma\ndelta\nepsilon\n');
      });
    } finally {
      await tw.close();
    }
  });
});
