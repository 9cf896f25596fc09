import { strict as assert } from 'node:assert';
import { tmpdir } from 'node:os';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { MlflowClient, type MlflowRun } from '../../lib/mlflow/mlflow-client.js';
import { statusQuery } from '../../common/messages.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { createTestWorker, testConfig, uniqueId } from '../helpers/integration.js';

const BUSYBOX = 'tidemark/busybox:latest';
const mlflow = new MlflowClient(testConfig.mlflow.trackingUri);

function spec(name: string) {
  return {
    name,
    params: { rows: 3 },
    steps: [
      {
        name: 'make',
        image: BUSYBOX,
        args: [
          'sh',
          '-c',
          'seq ${params.rows} > /outputs/data.txt; echo \'{"accuracy": 0.93}\' > /outputs/metrics.json; echo made',
        ],
        outputs: { data: 'data.txt' },
      },
      {
        name: 'model',
        image: BUSYBOX,
        inputs: { data: 'make.data' },
        args: ['sh', '-c', 'mkdir -p /outputs/m && cp /inputs/data /outputs/m/weights'],
        outputs: { model: 'm' },
        register: { model: 'model', name: `${name}-model` },
      },
    ],
  };
}

async function runsOf(
  experimentName: string,
  workflowId: string,
): Promise<{ parent: MlflowRun; children: MlflowRun[] }> {
  const experimentId = (await mlflow.getExperimentByName(experimentName))!;
  const runs = await mlflow.searchRuns({
    experimentIds: [experimentId],
    filter: `tags.\`temporal.workflow_id\` = '${workflowId}'`,
  });
  const parent = runs.find((r) => !(r.data.tags ?? []).some((t) => t.key === 'mlflow.parentRunId'))!;
  const children = runs.filter((r) =>
    (r.data.tags ?? []).some((t) => t.key === 'mlflow.parentRunId' && t.value === parent.info.run_id),
  );
  return { parent, children };
}

const tag = (r: MlflowRun, k: string) => r.data.tags?.find((t) => t.key === k)?.value;
const param = (r: MlflowRun, k: string) => r.data.params?.find((t) => t.key === k)?.value;
const metric = (r: MlflowRun, k: string) => r.data.metrics?.find((t) => t.key === k)?.value;

describe('MLflow tracking', () => {
  it('makes each pipeline run a parent run and each step a child run, with params, metrics, artifacts and a registered model', async () => {
    const tw = await createTestWorker();
    const name = uniqueId('tracked');
    try {
      await tw.worker.runUntil(async () => {
        const handle = await startPipeline(tw.client, spec(name), {
          baseDir: tmpdir(),
          store: tw.plugin.deps.store,
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('tracked'),
        });
        await handle.result();
        const { parent, children } = await runsOf(name, handle.workflowId);
        assert.equal(parent.info.status, 'FINISHED');
        assert.equal(tag(parent, 'temporal.run_id'), (await handle.describe()).runId);
        assert.ok(
          tag(parent, 'temporal.ui_url')!.startsWith(
            `${testConfig.temporal.uiUrl.replace(/\/$/, '')}/namespaces/${testConfig.temporal.namespace}/workflows/`,
          ),
          tag(parent, 'temporal.ui_url'),
        );
        assert.equal(param(parent, 'rows'), '3');
        assert.deepEqual(children.map((c) => tag(c, 'tidemark.step')).sort(), ['make', 'model']);
        const make = children.find((c) => tag(c, 'tidemark.step') === 'make')!;
        assert.equal(make.info.status, 'FINISHED');
        assert.equal(metric(make, 'accuracy'), 0.93, 'the metric the step wrote');
        assert.equal(metric(make, 'exit_code'), 0);
        assert.ok(metric(make, 'duration_s')! > 0);
        // The run spans the step as the pipeline saw it, although it is recorded afterwards.
        const makeState = (await handle.query(statusQuery)).steps.find((s) => s.key === 'make')!;
        assert.equal(make.info.start_time, makeState.startedAt);
        assert.equal(make.info.end_time, makeState.endedAt);
        assert.equal(metric(make, 'output_bytes.data'), 6);
        assert.match(param(make, 'image_digest')!, /^sha256:/);
        assert.match(param(make, 'cache_key')!, /^[0-9a-f]{64}$/);
        assert.ok(tag(make, 'cached') === 'false' || tag(make, 'cached') === 'true');
        // Outputs and logs are listed through MLflow's own REST API.
        const outputs = await mlflow.listArtifacts(make.info.run_id, 'outputs');
        assert.deepEqual(
          outputs.map((f) => f.path),
          ['outputs/data'],
        );
        const logs = await mlflow.listArtifacts(make.info.run_id, 'logs');
        assert.deepEqual(
          logs.map((f) => f.path),
          ['logs/make.log'],
        );
        const model = children.find((c) => tag(c, 'tidemark.step') === 'model')!;
        assert.deepEqual(
          (await mlflow.listArtifacts(model.info.run_id, 'outputs')).map((f) => f.path),
          ['outputs/model.tar'],
        );
        assert.equal(tag(model, 'tidemark.model_version'), '1', 'registration created a model version');
        // The memo links the workflow to its MLflow run.
        const memo = (await handle.describe()).memo as { mlflow?: { runId: string; url: string } };
        assert.equal(memo.mlflow?.runId, parent.info.run_id);

        // A second run is served from the cache, and its step runs say so.
        const again = await startPipeline(tw.client, spec(name), {
          baseDir: tmpdir(),
          store: tw.plugin.deps.store,
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('tracked'),
        });
        await again.result();
        const second = await runsOf(name, again.workflowId);
        assert.deepEqual(
          second.children.map((c) => tag(c, 'cached')),
          ['true', 'true'],
        );
      });
    } finally {
      await tw.close();
    }
  });

  it('never lets the MinIO secret into params, tags or workflow history', async () => {
    const tw = await createTestWorker();
    const name = uniqueId('secret');
    process.env.TIDEMARK_SECRET_TEST = testConfig.minio.secretKey;
    try {
      await tw.worker.runUntil(async () => {
        const s = spec(name);
        (s.steps[0] as Record<string, unknown>).secretEnv = { S3_SECRET: 'TIDEMARK_SECRET_TEST' };
        (s.steps[0] as Record<string, unknown>).network = 'host';
        (s.steps[0] as Record<string, unknown>).args = [
          'sh',
          '-c',
          `test -n "$S3_SECRET" && test -n "$AWS_SESSION_TOKEN" && test -n "$MLFLOW_RUN_ID" && test "$AWS_ACCESS_KEY_ID" != "${testConfig.minio.accessKey}" && test "$AWS_SECRET_ACCESS_KEY" != "$S3_SECRET" && seq 3 > /outputs/data.txt`,
        ];
        const handle = await startPipeline(tw.client, s, {
          baseDir: tmpdir(),
          store: tw.plugin.deps.store,
          taskQueue: tw.taskQueue,
          workflowId: uniqueId('secret'),
        });
        await handle.result();
        // Every payload of the history, decoded, plus the rest of it as text.
        const history = historyToJSON(await handle.fetchHistory());
        const payloads = [...history.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) =>
          Buffer.from(m[1]!, 'base64').toString('utf8'),
        );
        assert.ok(payloads.length > 10, 'the history has payloads to scan');
        assert.ok(
          payloads.some((p) => p.includes('S3_SECRET')),
          'the scan sees workflow inputs',
        );
        for (const text of [history, ...payloads])
          assert.ok(!text.includes(testConfig.minio.secretKey), 'the secret is not in the history');
        const { parent, children } = await runsOf(name, handle.workflowId);
        for (const r of [parent, ...children]) {
          const text = JSON.stringify([r.data.params, r.data.tags]);
          assert.ok(!text.includes(testConfig.minio.secretKey), `not in run ${r.info.run_name}`);
        }
      });
    } finally {
      delete process.env.TIDEMARK_SECRET_TEST;
      await tw.close();
    }
  });
});

describe('scoped step credentials', () => {
  it("can write below the run's artifact folder and nowhere else", async () => {
    const { scopedCredentials } = await import('../../lib/artifacts/scoped-credentials.js');
    const { Client } = await import('minio');
    const prefix = `s3://${testConfig.mlflow.artifactBucket}/scoped-${uniqueId('t')}/artifacts`;
    const creds = await scopedCredentials(testConfig.minio, prefix, 900);
    assert.notEqual(creds.accessKeyId, testConfig.minio.accessKey);
    const url = new URL(testConfig.minio.endpoint);
    const client = new Client({
      endPoint: url.hostname,
      port: Number(url.port),
      useSSL: false,
      accessKey: creds.accessKeyId,
      secretKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
      region: 'us-east-1',
    });
    const key = prefix.replace(`s3://${testConfig.mlflow.artifactBucket}/`, '');
    await client.putObject(testConfig.mlflow.artifactBucket, `${key}/metrics/ok.txt`, Buffer.from('ok'));
    await assert.rejects(
      client.putObject(testConfig.mlflow.artifactBucket, 'elsewhere/nope.txt', Buffer.from('no')),
      /Access Denied/i,
    );
    await assert.rejects(
      client.putObject(testConfig.minio.bucket, 'cas/nope.txt', Buffer.from('no')),
      /Access Denied/i,
    );
  });
});

describe('model promotion', () => {
  it("moves the champion alias only to a version whose metric beats the current champion's", async () => {
    const tw = await createTestWorker();
    const name = uniqueId('promo');
    const model = `${name}-model`;
    const spec = (acc: number) => ({
      name,
      params: { acc },
      promote: { step: 'train', metric: 'evaluate.metrics.acc', alias: 'champion' },
      steps: [
        {
          name: 'train',
          image: BUSYBOX,
          args: ['sh', '-c', 'echo "weights ${params.acc}" > /outputs/w'],
          outputs: { model: 'w' },
          register: { model: 'model', name: model },
        },
        {
          name: 'evaluate',
          image: BUSYBOX,
          inputs: { m: 'train.model' },
          args: ['sh', '-c', 'echo "{\\"acc\\": ${params.acc}}" > /outputs/metrics.json'],
        },
      ],
    });
    try {
      await tw.worker.runUntil(async () => {
        const champions: (string | undefined)[] = [];
        for (const acc of [0.8, 0.9, 0.85]) {
          await (
            await startPipeline(tw.client, spec(acc), {
              baseDir: tmpdir(),
              store: tw.plugin.deps.store,
              taskQueue: tw.taskQueue,
              workflowId: uniqueId('promo'),
            })
          ).result();
          champions.push((await mlflow.getModelVersionByAlias(model, 'champion'))?.version);
        }
        assert.deepEqual(champions, ['1', '2', '2'], 'v1 first, v2 beats it, v3 (0.85) does not beat v2 (0.9)');
      });
    } finally {
      await tw.close();
    }
  });
});
