import { strict as assert } from 'node:assert';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkflowFailedError } from '@temporalio/client';
import { retryPipeline } from '../../client/retry-pipeline.js';
import { statusQuery, type StepState } from '../../common/messages.js';
import { startInput } from '../../client/start-input.js';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import { createTestWorker, startOn, testConfig, uniqueId, type TestWorker } from '../helpers/integration.js';
import { ProductionStack, suiteTemporalPort } from '../helpers/production-stack.js';

const BUSYBOX = 'tidemark/busybox:latest';
const sh = (script: string) => ['sh', '-c', script];
/** Temporal's history warning threshold: the budget every workflow of a pipeline stays under. */
const HISTORY_BUDGET = 10_240;
const mlflow = new MlflowClient(testConfig.mlflow.trackingUri);

describe('a map too large for one history', function () {
  this.timeout(1_800_000);
  let tw: TestWorker;
  beforeEach(async () => {
    tw = await createTestWorker();
  });
  afterEach(async () => {
    await tw?.close();
  });
  const start = (spec: unknown, baseDir?: string) => startOn(tw, spec, 'sharded', baseDir);

  it('runs as child workflows of at most shardSize items, and hands every item’s output downstream in one folder, in order', async () => {
    await tw.worker.runUntil(async () => {
      const salt = uniqueId('w');
      const words = Array.from({ length: 11 }, (_, i) => `${salt}-${i}`);
      const spec = {
        name: uniqueId('sharded-words'),
        params: { words },
        maxParallel: 4,
        steps: [
          {
            name: 'each',
            image: BUSYBOX,
            map: { over: '${params.words}', as: 'word', shardSize: 4 },
            args: sh('echo "${word}" > /outputs/w.txt'),
            outputs: { w: 'w.txt' },
          },
          {
            name: 'join',
            image: BUSYBOX,
            inputs: { words: 'each.w' },
            args: sh('for i in $(seq 0 10); do cat /inputs/words/$i; done > /outputs/all.txt'),
            outputs: { all: 'all.txt' },
          },
        ],
      };
      const handle = await start(spec);
      const result = await handle.result();
      assert.deepEqual(
        result.steps.map((s) => s.key),
        ['each', 'join'],
        'the pipeline holds the map as one step, not its items',
      );
      const each = result.steps[0]!;
      assert.deepEqual(each.items, { total: 11, succeeded: 11, cached: 0, failed: 0, cancelled: 0 });
      const joined = await tw.plugin.deps.store.getBytes(result.steps[1]!.outputs!.all as never);
      assert.equal(joined.toString(), words.map((w) => `${w}\n`).join(''));
      // MLflow: no run per item, one per leaf, with the leaf's items in a table.
      const experimentId = (await mlflow.getExperimentByName(spec.name))!;
      const runs = await mlflow.searchRuns({
        experimentIds: [experimentId],
        filter: `tags.\`temporal.workflow_id\` = '${handle.workflowId}'`,
      });
      const shardRuns = runs.filter((r) => r.data.tags?.some((t) => t.key === 'tidemark.map_shard'));
      const key = (r: (typeof runs)[number]) => r.data.tags?.find((t) => t.key === 'tidemark.step_key')?.value;
      assert.deepEqual(shardRuns.map(key).sort(), ['each[0-4]', 'each[4-8]', 'each[8-11]']);
      assert.ok(!runs.some((r) => /^each\[\d+\]$/.test(key(r) ?? '')), 'no run per item');
      const succeeded = shardRuns.map((r) => r.data.metrics?.find((m) => m.key === 'items_succeeded')?.value ?? 0);
      assert.equal(
        succeeded.reduce((a, b) => a + b, 0),
        11,
      );
      assert.deepEqual(
        (await mlflow.listArtifacts(shardRuns[0]!.info.run_id, 'outputs')).map((f) => f.path),
        ['outputs/items.csv'],
      );
      const items: StepState[] = [];
      for (const range of ['0-4', '4-8', '8-11']) {
        const child = tw.client.workflow.getHandle(`${handle.workflowId}/each[${range}]`);
        const d = await child.describe();
        assert.equal(d.type, 'pipelineMapShard');
        assert.equal(d.status.name, 'COMPLETED');
        const leaf = await child.query(statusQuery);
        assert.ok(leaf.steps.every((s) => s.state === 'succeeded' && s.mapIndex !== undefined));
        items.push(...leaf.steps);
      }
      // Items look the cache up outside maxParallel; their containers never exceed it.
      const edges = items.flatMap((s) => [
        [s.startedAt!, 1],
        [s.endedAt!, -1],
      ]);
      edges.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
      let running = 0;
      let most = 0;
      for (const [, d] of edges) most = Math.max(most, (running += d!));
      assert.ok(most >= 1 && most <= 4, `at most maxParallel (4) items ran at once, not ${most}`);
    });
  });

  it('with failFast off, runs every other item and names the failed ones; `retry` then runs only those again', async () => {
    // Items 4 and 8 fail while this loopback server says so; a retry after it changes its mind succeeds.
    let verdict = 'fail';
    const server = createServer((_req, res) => res.end(verdict));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await tw.worker.runUntil(async () => {
        const handle = await start({
          name: uniqueId('sharded-fail'),
          params: { n: Array.from({ length: 10 }, (_, i) => i) },
          failFast: false,
          maxParallel: 4,
          steps: [
            {
              name: 'each',
              image: BUSYBOX,
              network: 'host',
              map: { over: '${params.n}', as: 'n', shardSize: 3 },
              args: sh(
                `case "\${n}" in 4|8) [ "$(wget -qO- http://127.0.0.1:${port}/)" = ok ] || exit 3;; esac; echo \${n} > /outputs/n.txt`,
              ),
              outputs: { n: 'n.txt' },
            },
          ],
        });
        const err = await handle.result().then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(err instanceof WorkflowFailedError);
        assert.match(String(err.cause?.message), /step "each" failed: 2 of 10 items failed; item 4: .*exit/);
        const each = (await handle.query(statusQuery)).steps[0] as StepState;
        assert.equal(each.state, 'failed');
        assert.deepEqual(each.items, { total: 10, succeeded: 8, cached: 0, failed: 2, cancelled: 0 });
        assert.deepEqual(each.failedItems?.map((f) => [f.index, f.exitCode]).sort(), [
          [4, 3],
          [8, 3],
        ]);

        verdict = 'ok';
        const again = await retryPipeline(tw.client, handle.workflowId, { taskQueue: tw.taskQueue });
        assert.match(again.workflowId, new RegExp(`^${handle.workflowId}-retry-`));
        const retried = await again.result();
        assert.deepEqual(retried.steps[0]!.items, { total: 10, succeeded: 2, cached: 8, failed: 0, cancelled: 0 });
      });
    } finally {
      server.close();
    }
  });

  it('maps over a JSON-lines file given as a pipeline input, which never travels as a workflow argument', async () => {
    await tw.worker.runUntil(async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tm-items-'));
      await writeFile(join(dir, 'items.jsonl'), [1, 2, 3, 4, 5, 6, 7].map((n) => JSON.stringify({ n })).join('\n'));
      const handle = await start(
        {
          name: uniqueId('sharded-file'),
          inputs: { items: { path: './items.jsonl' } },
          steps: [
            {
              name: 'square',
              image: BUSYBOX,
              map: { over: '${inputs.items}', shardSize: 3 },
              args: sh('echo $(( ${item.n} * ${item.n} )) > /outputs/sq.txt'),
              outputs: { sq: 'sq.txt' },
            },
            {
              name: 'sum',
              image: BUSYBOX,
              inputs: { sq: 'square.sq' },
              args: sh("cat /inputs/sq/* | awk '{ s += $1 } END { print s }' > /outputs/sum.txt"),
              outputs: { sum: 'sum.txt' },
            },
          ],
        },
        dir,
      );
      const result = await handle.result();
      const sum = await tw.plugin.deps.store.getBytes(result.steps.find((s) => s.key === 'sum')!.outputs!.sum as never);
      assert.equal(sum.toString().trim(), '140');
      const started = await tw.client.workflow.getHandle(handle.workflowId).fetchHistory();
      const args = JSON.stringify(started.events?.[0]?.workflowExecutionStartedEventAttributes?.input ?? {});
      assert.ok(args.length < 4000, 'the items are not in the start event');

      await writeFile(join(dir, 'items.jsonl'), '{"n": 1}\n{"n": 2\n');
      const bad = await start(
        {
          name: uniqueId('sharded-bad-file'),
          inputs: { items: { path: './items.jsonl' } },
          steps: [{ name: 'square', image: BUSYBOX, map: { over: '${inputs.items}' }, args: ['true'] }],
        },
        dir,
      );
      const err = await bad.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(String(err.cause?.message), /step "square" failed: .*line 2 of "items" is not JSON/);
      assert.equal((await bad.query(statusQuery)).steps[0]!.state, 'failed');
    });
  });
});

/**
 * The large ones run where Temporal runs in production: the server on PostgreSQL, on a stack of
 * this describe's own (ProductionStack: ports from the suite's Temporal port - 60).
 */
describe('at scale, on the production profile (Temporal server on PostgreSQL)', function () {
  this.timeout(3_600_000);
  const production = new ProductionStack('scale', suiteTemporalPort(testConfig) - 60);

  before(async function () {
    const missing = await production.missing();
    if (missing.length > 0) {
      console.log(`      skipped: ${missing.join(', ')} missing; run \`npm run setup -- --profile production\``);
      this.skip();
    }
    const t0 = Date.now();
    await production.up();
    console.log(`      (production stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  });

  after(async function () {
    this.timeout(120_000);
    await production.down();
  });

  it('completes a 20,000-item map of one no-op step (one real run, then cache hits) with every history under the budget', async () => {
    const tw = await createTestWorker({ plugin: { config: production.config } });
    const historyLength = async (workflowId: string) =>
      Number((await tw.client.workflow.getHandle(workflowId).describe()).historyLength);
    try {
      await tw.worker.runUntil(async () => {
        const n = 20_000;
        const t0 = Date.now();
        const handle = await startOn(
          tw,
          {
            name: uniqueId('sharded-20k'),
            params: { items: Array.from({ length: n }, (_, i) => i) },
            maxParallel: 8,
            steps: [{ name: 'noop', image: BUSYBOX, map: { over: '${params.items}' }, args: ['true'] }],
          },
          'sharded',
        );
        const result = await handle.result();
        const seconds = (Date.now() - t0) / 1000;
        const noop = result.steps[0]!;
        assert.equal(noop.items!.succeeded + noop.items!.cached, n);
        assert.ok(noop.items!.cached >= n - 16, `cache hits after the first runs (${noop.items!.cached})`);
        const maxLeaf = noop.metrics!.max_history_events!;
        const root = await historyLength(handle.workflowId);
        console.log(
          `      ${n} items in ${seconds.toFixed(0)} s (${(n / seconds).toFixed(0)} items/s); longest history ${maxLeaf} events, the pipeline's ${root}`,
        );
        assert.ok(
          maxLeaf < HISTORY_BUDGET && root < HISTORY_BUDGET,
          `histories: ${maxLeaf} (longest shard), ${root} (pipeline)`,
        );
      });
    } finally {
      await tw.close();
    }
  });

  /** Bytes of a workflow run's start input. */
  const startInputBytes = async (tw: TestWorker, workflowId: string, runId?: string) =>
    JSON.stringify(await startInput(tw.client, workflowId, runId)).length;

  it('stores a spec too large for a workflow argument and starts the pipeline with its ref', async () => {
    const tw = await createTestWorker({ plugin: { config: production.config } });
    try {
      await tw.worker.runUntil(async () => {
        // 400 KB of params: over the client's 256 KB inline bound, under nothing else.
        const words = Array.from({ length: 40_000 }, (_, i) => `w${String(i).padStart(7, '0')}`);
        const spec = {
          name: uniqueId('big-spec'),
          params: { words },
          steps: [
            {
              name: 'count',
              image: BUSYBOX,
              args: sh(`echo \${params.words.39999} > /outputs/n`),
              outputs: { n: 'n' },
            },
          ],
        };
        assert.ok(JSON.stringify(spec).length > 400_000);
        const handle = await startOn(tw, spec, 'big-spec');
        const result = await handle.result();
        assert.equal(result.name, spec.name);
        const n = await tw.plugin.deps.store.getBytes(result.steps[0]!.outputs!.n as never);
        assert.equal(n.toString().trim(), 'w0039999', 'the step saw the stored spec’s last word');
        const bytes = await startInputBytes(tw, handle.workflowId);
        assert.ok(bytes < 4_000, `the start event holds a ref, not the spec (${bytes} bytes)`);
      });
    } finally {
      await tw.close();
    }
  });

  it('runs a 10,000-step chain (two real runs, then cache hits), continuing as new with every history under the budget', async () => {
    const tw = await createTestWorker({ plugin: { config: production.config } });
    try {
      await tw.worker.runUntil(async () => {
        const n = 10_000;
        const spec = {
          name: uniqueId('chain'),
          maxParallel: 1,
          tracking: { enabled: false },
          outputs: { last: `s${n - 1}.o` },
          steps: Array.from({ length: n }, (_, i) => ({
            name: `s${i}`,
            image: BUSYBOX,
            args: i ? ['cp', '/inputs/x', '/outputs/o'] : sh('echo x > /outputs/o'),
            outputs: { o: 'o' },
            ...(i ? { inputs: { x: `s${i - 1}.o` } } : {}),
          })),
        };
        const t0 = Date.now();
        const handle = await startOn(tw, spec, 'chain');
        const result = await handle.result();
        const seconds = (Date.now() - t0) / 1000;
        assert.equal((await tw.plugin.deps.store.getBytes(result.outputs.last as never)).toString(), 'x\n');
        const status = await handle.query(statusQuery);
        const counts = { ...status.earlier?.steps };
        for (const s of status.steps) counts[s.state] = (counts[s.state] ?? 0) + 1;
        assert.equal((counts.succeeded ?? 0) + (counts.cached ?? 0), n, JSON.stringify(counts));
        assert.ok((counts.cached ?? 0) >= n - 2, `cache hits after the first two runs: ${JSON.stringify(counts)}`);
        const runs: number[] = [];
        const inputs: number[] = [];
        for await (const w of tw.client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` })) {
          runs.push(w.historyLength);
          inputs.push(await startInputBytes(tw, w.workflowId, w.runId));
        }
        // Temporal warns about a payload over 512 KB; the 1.3 MB spec is in the store.
        assert.ok(
          inputs.every((b) => b < 256 * 1024),
          `start inputs: ${inputs.join(', ')} bytes`,
        );
        console.log(
          `      ${n} steps in ${seconds.toFixed(0)} s (${(n / seconds).toFixed(1)} steps/s) over ${runs.length} runs; histories ${runs.join(', ')} events`,
        );
        assert.equal(runs.length, (status.earlier?.runs ?? 0) + 1);
        assert.ok(runs.length > 1 && runs.every((h) => h < HISTORY_BUDGET), `histories: ${runs.join(', ')}`);
      });
    } finally {
      await tw.close();
    }
  });
});
