/**
 * The stack's production profile, on real services: a stack of this file's own, on ports and in a
 * state folder of its own (the rest of the suite keeps the default dev-server stack), started and
 * stopped through `npm run stack` as a person would. Only the Docker engine is shared.
 * It needs the production profile's setup lane (`npm run setup -- --profile production`); without
 * its binaries the file is skipped and says so (docs/production.md).
 * Run it alone: `npx mocha --require test/integration/hooks.ts test/integration/production-profile.test.ts`.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { statusQuery } from '../../common/messages.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { readPid, stopDaemon } from '../../scripts/stack/daemon.js';
import { postgresSettings, PRODUCTION_TOPOLOGY as P } from '../../scripts/stack/production-topology.js';
import { PostgresServer } from '../../scripts/stack/services/postgres.js';
import { TemporalDevServer } from '../../scripts/stack/services/temporal.js';
import { Stack } from '../../scripts/stack/stack.js';
import { locateTools } from '../../scripts/stack/tools.js';
import { containersCreated, createTestWorker, testConfig, uniqueId } from '../helpers/integration.js';
import { childrenOf, processesMentioning } from '../helpers/processes.js';
import { ProductionStack, suiteTemporalPort } from '../helpers/production-stack.js';

const BUSYBOX = 'tidemark/busybox:latest';

// Ports of this file's own, below the suite's Temporal port (Q = its port - 23; P+10 in a port
// plan with Temporal on P+33): see ProductionStack for the layout.
const production = new ProductionStack('production', suiteTemporalPort(testConfig) - 23);
const { q, stateDir, env, config, paths } = production;
const stack = (...args: string[]) => production.stack(...args);
const postgres = new PostgresServer(paths, postgresSettings(env));

async function persistenceStore(): Promise<string> {
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    return (await connection.workflowService.getClusterInfo({})).persistenceStore ?? '';
  } finally {
    await connection.close();
  }
}

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.ok,
    () => false,
  );

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('the production profile (Temporal server on PostgreSQL)', function () {
  this.timeout(300_000);
  let workflowId = '';

  before(async function () {
    const missing = await production.missing();
    if (missing.length > 0) {
      console.log(`      skipped: ${missing.join(', ')} missing; run \`npm run setup -- --profile production\``);
      this.skip();
    }
  });

  after(async function () {
    this.timeout(120_000);
    await production.down();
  });

  it('starts from nothing with --profile production: PostgreSQL, the Temporal server and its Web UI, MinIO and MLflow', async () => {
    const t0 = Date.now();
    const up = await stack('--profile', 'production', '--detach');
    assert.equal(up.exitCode, 0, up.output);
    console.log(`      (cold start: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    for (const name of ['postgres', 'minio', 'temporal', 'temporal-ui', 'mlflow'])
      assert.match(up.output, new RegExp(`^\\s+${name}: started`, 'm'));
    assert.equal(await persistenceStore(), P.sqlPlugin);
    assert.ok(
      await answers(`${config.temporal.uiUrl}/namespaces/default/workflows`),
      'the Web UI answers on TEMPORAL_UI_URL',
    );
    assert.deepEqual(
      new Set(await postgres.sql('SELECT datname FROM pg_database')),
      new Set(['postgres', 'template0', 'template1', ...Object.values(P.databases)]),
    );

    const versions = await stack('--profile', 'production', '--versions');
    assert.equal(versions.exitCode, 0, versions.output);
    const lines = versions.output.trim().split('\n');
    // temporal-server, postgres, the Web UI server, minio, mlflow, dockerd; and kubernetes once its lane is built.
    assert.equal(lines.filter((l) => !l.startsWith('kubernetes ')).length, 6, versions.output);
    assert.match(lines[0]!, /^temporal-server v1\.29\.1 \(/);
    assert.match(lines[1]!, /^postgres 15\.\d+ /);
    assert.match(lines[2]!, /^temporal-ui-server v2\.42\.1 \(/);
  });

  it('runs a pipeline through a restart of the Temporal server, losing nothing; finds it by PipelineName; keeps its MLflow runs in PostgreSQL', async () => {
    const name = uniqueId('production');
    const steps = 4;
    const spec = {
      name,
      steps: Array.from({ length: steps }, (_, i) => ({
        name: `s${i}`,
        image: BUSYBOX,
        args: ['sh', '-c', `sleep 2; echo ${i} > /outputs/out.txt`],
        outputs: { out: 'out.txt' },
        cache: { enabled: false },
        ...(i > 0 ? { inputs: { previous: `s${i - 1}.out` } } : {}),
      })),
    };
    const tw = await createTestWorker({ plugin: { config } });
    const t0 = Date.now();
    try {
      const handle = await startPipeline(tw.client, spec, {
        baseDir: tmpdir(),
        store: tw.plugin.deps.store,
        taskQueue: tw.taskQueue,
      });
      workflowId = handle.workflowId;
      const result = await tw.worker.runUntil(async () => {
        await eventually('the first step to finish', async () =>
          (await handle.query(statusQuery)).steps.find((s) => s.key === 's0')?.state === 'succeeded' ? true : undefined,
        );
        // Down while the second step runs, and up again on the same database.
        assert.ok(await stopDaemon(paths.runDir, 'temporal'));
        assert.equal(await persistenceStore().catch(() => 'down'), 'down');
        const again = await Stack.ensure({ config, paths, env, profile: 'production', log: () => undefined });
        assert.deepEqual(again.started, ['temporal'], 'only the server was down');
        return handle.result();
      });
      assert.deepEqual(
        result.steps.map((s) => [s.key, s.state]),
        spec.steps.map((s) => [s.name, 'succeeded']),
      );
      const last = await tw.plugin.deps.store.getBytes(result.steps.at(-1)!.outputs!.out as never);
      assert.equal(last.toString(), `${steps - 1}\n`);
      assert.equal(await containersCreated(workflowId, t0), steps, 'no step ran twice');

      // Advanced visibility on PostgreSQL: Tidemark's custom search attributes.
      const found = await eventually('a visibility query by PipelineName', async () => {
        const ids: string[] = [];
        for await (const w of tw.client.workflow.list({ query: `PipelineName = '${name}'` })) ids.push(w.workflowId);
        return ids.length ? ids : undefined;
      });
      assert.deepEqual(found, [workflowId]);

      // MLflow's runs: rows in PostgreSQL, no SQLite file.
      const runs = await postgres.sql(
        `SELECT count(*) FROM tags WHERE key = 'temporal.workflow_id' AND value = '${workflowId}'`,
        P.databases.mlflow,
      );
      assert.ok(Number(runs[0]) >= steps, `MLflow holds a run per step in PostgreSQL (found ${runs[0]})`);
      assert.equal(existsSync(join(stateDir, 'mlflow', 'mlflow.db')), false);
    } finally {
      await tw.close();
    }
  });

  it('stops the production services before the dev profile starts on the same ports, and finds its data again when switched back', async () => {
    const postmaster = readPid(paths.runDir, 'postgres')!;
    const dev = await stack('--detach');
    assert.equal(dev.exitCode, 0, dev.output);
    assert.match(
      dev.output,
      /the production profile runs here: stopping its postgres, temporal, temporal-ui, mlflow before the dev profile starts/,
    );
    assert.equal(existsSync(`/proc/${postmaster}`), false, 'PostgreSQL was stopped');
    assert.equal(await persistenceStore(), 'sqlite');
    assert.ok(await answers(config.temporal.uiUrl), "the dev server's own Web UI answers on the UI port");

    const back = await stack('--profile', 'production', '--detach');
    assert.equal(back.exitCode, 0, back.output);
    assert.match(
      back.output,
      /the dev profile runs here: stopping its temporal, mlflow before the production profile starts/,
    );
    assert.equal(await persistenceStore(), P.sqlPlugin);
    const connection = await Connection.connect({ address: config.temporal.address });
    try {
      const described = await connection.workflowService.describeWorkflowExecution({
        namespace: config.temporal.namespace,
        execution: { workflowId },
      });
      assert.equal(
        described.workflowExecutionInfo?.status,
        2 /* COMPLETED */,
        'the pipeline run before the switch is still there',
      );
    } finally {
      await connection.close();
    }
  });

  it('refuses to start over a dev server it did not start on the same ports, and says what to do', async () => {
    // The production server and its Web UI down, and a dev server started by hand in their place
    // (its pid file elsewhere).
    for (const name of ['temporal-ui', 'temporal']) assert.ok(await stopDaemon(paths.runDir, name));
    const other = { ...paths, runDir: join(stateDir, 'other-run'), logsDir: join(stateDir, 'other-logs') };
    mkdirSync(other.logsDir, { recursive: true });
    await new TemporalDevServer(config, other, locateTools(env, paths).temporal).start();
    try {
      const refused = await stack('--profile', 'production', '--detach');
      assert.notEqual(refused.exitCode, 0);
      assert.match(
        refused.output,
        new RegExp(
          `A Temporal dev server \\(state in SQLite\\) that this stack did not start answers on 127\\.0\\.0\\.1:${q}.*Fix: stop that server`,
          's',
        ),
      );
      assert.equal(await persistenceStore(), 'sqlite', 'the dev server was left alone');
    } finally {
      await stopDaemon(other.runDir, 'temporal');
    }
    const again = await Stack.ensure({ config, paths, env, profile: 'production', log: () => undefined });
    assert.deepEqual(again.started, ['temporal', 'temporal-ui']);
  });

  it("stops every process of the profile with --stop, PostgreSQL's backends included", async () => {
    const pids = ['postgres', 'minio', 'temporal', 'temporal-ui', 'mlflow', 'console'].map((n) =>
      readPid(paths.runDir, n),
    );
    assert.ok(
      pids.every((pid) => pid !== undefined),
      'the stack started each of them',
    );
    const backends = childrenOf(pids[0]!);
    assert.ok(backends.length > 0, 'PostgreSQL has processes of its own');
    const down = await stack('--stop');
    assert.equal(down.exitCode, 0, down.output);
    assert.match(down.output, /stopped: console, mlflow, temporal-ui, temporal, minio, postgres/);
    for (const pid of [...pids, ...backends]) assert.equal(existsSync(`/proc/${pid}`), false, `process ${pid} is gone`);
    assert.deepEqual(processesMentioning(stateDir), []);
    for (const url of [config.temporal.uiUrl, config.mlflow.trackingUri, config.minio.endpoint])
      assert.equal(await answers(url), false, `nothing answers on ${url}`);
    assert.equal(await postgres.healthy(), false);
  });
});
