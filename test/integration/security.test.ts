import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Client as MinioClient } from 'minio';
import { pino } from 'pino';
import type { ArtifactRef } from '../../common/artifact.js';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { containersCreated, createTestWorker, testConfig, uniqueId, type TestWorker } from '../helpers/integration.js';
import { tempDir } from '../helpers/temp.js';

/**
 * What a step cannot reach, tried with canaries: a host file behind a link in /outputs, a worker
 * credential asked for as a secret, and a secret printed by a failing step. None may appear in
 * MinIO, the workflow history, MLflow or the worker's log.
 */
const BUSYBOX = 'tidemark/busybox:latest';
const mlflow = new MlflowClient(testConfig.mlflow.trackingUri);

/** A worker whose log lines are kept, to be searched. */
async function loggedWorker(): Promise<{ tw: TestWorker; lines: string[] }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const tw = await createTestWorker({ plugin: { deps: { logger: pino({ level: 'trace' }, sink) } } });
  return { tw, lines };
}

/** Every payload of a workflow's history decoded, and the history itself, as text. */
async function historyText(tw: TestWorker, workflowId: string): Promise<string> {
  const history = historyToJSON(await tw.client.workflow.getHandle(workflowId).fetchHistory());
  const payloads = [...history.matchAll(/"data":\s*"([A-Za-z0-9+/=]+)"/g)].map((m) =>
    Buffer.from(m[1]!, 'base64').toString('utf8'),
  );
  return [history, ...payloads].join('\n');
}

/** The text of every object written to the artifact and MLflow buckets since `since`. */
async function storeTextSince(since: Date): Promise<string> {
  const url = new URL(testConfig.minio.endpoint);
  const s3 = new MinioClient({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: testConfig.minio.accessKey,
    secretKey: testConfig.minio.secretKey,
    region: 'us-east-1',
  });
  const texts: string[] = [];
  for (const bucket of [testConfig.minio.bucket, testConfig.mlflow.artifactBucket]) {
    const names: string[] = [];
    for await (const o of s3.listObjectsV2(bucket, '', true) as AsyncIterable<{ name?: string; lastModified?: Date }>)
      if (o.name && o.lastModified && o.lastModified >= since) names.push(o.name);
    for (const name of names) {
      const chunks: Buffer[] = [];
      for await (const c of await s3.getObject(bucket, name)) chunks.push(c as Buffer);
      texts.push(Buffer.concat(chunks).toString('latin1'));
    }
  }
  return texts.join('\n');
}

/** MLflow's params and tags of every run of a workflow. */
async function mlflowText(experiment: string): Promise<string> {
  const experimentId = await mlflow.getExperimentByName(experiment);
  if (!experimentId) return '';
  const runs = await mlflow.searchRuns({ experimentIds: [experimentId] });
  return JSON.stringify(runs.map((r) => [r.data.params, r.data.tags]));
}

async function failure(run: Promise<unknown>): Promise<string> {
  const err = await run.then(
    () => undefined,
    (e: Error & { cause?: Error }) => e,
  );
  assert.ok(err, 'the pipeline fails');
  return `${err.message}\n${err.cause?.message ?? ''}`;
}

describe('what a step cannot reach', function () {
  this.timeout(240_000);

  it('never uploads a host file, folder or the worker environment through a link in /outputs, and names the output', async () => {
    const canary = `host-canary-${randomBytes(12).toString('hex')}`;
    const hostDir = tempDir('security-host');
    writeFileSync(`${hostDir}/secret.txt`, canary);
    mkdirSync(`${hostDir}/folder`);
    writeFileSync(`${hostDir}/folder/inside.txt`, canary);
    const since = new Date(Date.now() - 1000);
    const { tw, lines } = await loggedWorker();
    try {
      await tw.worker.runUntil(async () => {
        for (const [label, target, output] of [
          ['file', `${hostDir}/secret.txt`, 'o'],
          ['folder', `${hostDir}/folder`, 'o'],
          ['environ', '/proc/self/environ', 'o'],
        ] as const) {
          const name = uniqueId(`links-${label}`);
          const handle = await startPipeline(
            tw.client,
            {
              name,
              steps: [
                {
                  name: 'leak',
                  image: BUSYBOX,
                  args: ['sh', '-c', `ln -s ${target} /outputs/o`],
                  outputs: { [output]: 'o' },
                  cache: { enabled: false },
                },
              ],
            },
            { baseDir: hostDir, store: tw.plugin.deps.store, taskQueue: tw.taskQueue, workflowId: name },
          );
          const message = await failure(handle.result());
          assert.match(message, /output "o"/, `${label}: the error names the output`);
          const history = await historyText(tw, handle.workflowId);
          assert.ok(!history.includes(canary), `${label}: not in the history`);
          assert.ok(
            !history.includes(testConfig.minio.secretKey),
            `${label}: the worker environment is not in the history`,
          );
          assert.ok(!(await mlflowText(name)).includes(canary), `${label}: not in MLflow`);
        }
      });
      const stored = await storeTextSince(since);
      assert.ok(!stored.includes(canary), 'the host file is in no object of the store');
      assert.ok(!stored.includes(`${'AWS_SECRET_ACCESS_KEY'}=${testConfig.minio.secretKey}`), 'nor the environment');
      assert.ok(!lines.join('').includes(canary), "nor in the worker's log");
    } finally {
      await tw.close();
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  it('refuses, before any step starts, a secretEnv naming a worker credential or a variable outside the allowlist', async () => {
    const { tw } = await loggedWorker();
    const since = Date.now();
    process.env.TIDEMARK_NOT_ALLOWED = 'x';
    try {
      await tw.worker.runUntil(async () => {
        for (const [from, expected] of [
          ['MINIO_ROOT_PASSWORD', /MINIO_ROOT_PASSWORD holds the worker's own credentials[^]*TIDEMARK_SECRET_\*/],
          ['TIDEMARK_NOT_ALLOWED', /TIDEMARK_NOT_ALLOWED is not one a step may read[^]*TIDEMARK_STEP_SECRETS/],
        ] as const) {
          const name = uniqueId('secret-refused');
          const handle = await startPipeline(
            tw.client,
            {
              name,
              steps: [{ name: 's', image: BUSYBOX, args: ['true'], secretEnv: { X: from }, cache: { enabled: false } }],
            },
            { baseDir: process.cwd(), store: tw.plugin.deps.store, taskQueue: tw.taskQueue, workflowId: name },
          );
          const message = await failure(handle.result());
          assert.match(message, expected);
          assert.match(message, /step "s", field secretEnv\.X/);
          assert.equal(await containersCreated(handle.workflowId, since), 0, 'no container was created');
          assert.equal(await mlflow.getExperimentByName(name), undefined, 'no MLflow run was started');
        }
        const name = uniqueId('too-big');
        const handle = await startPipeline(
          tw.client,
          { name, steps: [{ name: 'big', image: BUSYBOX, args: ['true'], resources: { cpus: 512 } }] },
          { baseDir: process.cwd(), store: tw.plugin.deps.store, taskQueue: tw.taskQueue, workflowId: name },
        );
        assert.match(
          await failure(handle.result()),
          /step "big", field resources\.cpus: 512 is more than this worker allows[^]*TIDEMARK_STEP_MAX_CPUS/,
        );
      });
    } finally {
      delete process.env.TIDEMARK_NOT_ALLOWED;
      await tw.close();
    }
  });

  it("redacts a secret a failing step prints from the failure, the history, MLflow, the stored log and the worker's log", async () => {
    const canary = `secret-canary-${randomBytes(12).toString('hex')}`;
    process.env.TIDEMARK_SECRET_CANARY = canary;
    const since = new Date(Date.now() - 1000);
    const { tw, lines } = await loggedWorker();
    const name = uniqueId('redact');
    try {
      await tw.worker.runUntil(async () => {
        const handle = await startPipeline(
          tw.client,
          {
            name,
            steps: [
              {
                name: 'talk',
                image: BUSYBOX,
                // The run's name makes the log new bytes, so the store keeps a new object for it.
                args: ['sh', '-c', `echo "${name}: token is $TOKEN"; sleep 3; echo "again $TOKEN" >&2; exit 3`],
                secretEnv: { TOKEN: 'TIDEMARK_SECRET_CANARY' },
                cache: { enabled: false },
              },
            ],
          },
          { baseDir: process.cwd(), store: tw.plugin.deps.store, taskQueue: tw.taskQueue, workflowId: name },
        );
        const message = await failure(handle.result());
        assert.match(message, /token is \[redacted\]/, 'the log tail is in the failure, redacted');
        assert.ok(!message.includes(canary));
        assert.ok(!(await historyText(tw, handle.workflowId)).includes(canary), 'not in the history (heartbeats too)');
        const runs = await mlflowText(name);
        assert.ok(runs.includes('[redacted]'), "MLflow's error tag holds the redacted tail");
        assert.ok(!runs.includes(canary), 'not in MLflow');
      });
      const stored = await storeTextSince(since);
      assert.ok(stored.includes(`${name}: token is [redacted]`), 'the scan reads the stored log, redacted');
      assert.ok(!stored.includes(canary), 'not in the stored log nor any other object');
      assert.ok(!lines.join('').includes(canary), "not in the worker's log");
    } finally {
      delete process.env.TIDEMARK_SECRET_CANARY;
      await tw.close();
    }
  });

  it('runs a step as nobody on a read-only root with a writable /tmp, and as root only when it asks', async () => {
    const { tw } = await loggedWorker();
    try {
      await tw.worker.runUntil(async () => {
        const probe =
          'id -u > /outputs/uid; (touch /probe 2>/dev/null && echo rw || echo ro) > /outputs/root; echo x > /tmp/t';
        const name = uniqueId('sandbox');
        const handle = await startPipeline(
          tw.client,
          {
            name,
            steps: [
              {
                name: 'plain',
                image: BUSYBOX,
                args: ['sh', '-c', probe],
                outputs: { uid: 'uid', root: 'root' },
                cache: { enabled: false },
              },
              {
                name: 'root',
                image: BUSYBOX,
                args: ['sh', '-c', probe],
                outputs: { uid: 'uid', root: 'root' },
                runAsRoot: true,
                cache: { enabled: false },
              },
            ],
          },
          { baseDir: process.cwd(), store: tw.plugin.deps.store, taskQueue: tw.taskQueue, workflowId: name },
        );
        const result = await handle.result();
        const read = async (step: string, output: string) => {
          const ref = result.steps.find((s) => s.key === step)!.outputs![output] as ArtifactRef;
          return (await tw.plugin.deps.store.getBytes(ref)).toString().trim();
        };
        assert.deepEqual(
          { uid: await read('plain', 'uid'), root: await read('plain', 'root') },
          { uid: '65534', root: 'ro' },
        );
        assert.deepEqual(
          { uid: await read('root', 'uid'), root: await read('root', 'root') },
          { uid: '0', root: 'rw' },
        );
      });
    } finally {
      await tw.close();
    }
  });
});
