import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlflowClient, MlflowError, type FinishedRun, type MlflowRun } from '../../lib/mlflow/mlflow-client.js';
import { privateMlflow, uniqueId } from '../helpers/integration.js';

const finished: FinishedRun = {
  runName: 'train',
  startTime: 1_700_000_000_000,
  endTime: 1_700_000_001_500,
  status: 'FAILED',
  tags: { cached: 'false', 'tidemark.state': 'failed', error: 'exit 3' },
  params: [
    { key: 'image', value: 'tidemark/busybox:latest' },
    { key: 'params', value: '{"C":1}' },
  ],
  // Two values of one metric: the later is the run's latest, both are its history.
  metrics: [
    { key: 'loss', value: 0.5, timestamp: 1_700_000_001_400, step: 0 },
    { key: 'loss', value: 0.25, timestamp: 1_700_000_001_500, step: 0 },
    { key: 'exit_code', value: 3, timestamp: 1_700_000_001_500, step: 0 },
  ],
};

/** A run as MLflow returns it, without what differs between any two runs (ids). */
function comparable(run: MlflowRun) {
  const byKey = <T extends { key: string }>(xs: T[] = []) =>
    [...xs].sort((a, b) => a.key.localeCompare(b.key) || JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const { run_id: id, artifact_uri: artifactUri, ...info } = run.info as MlflowRun['info'] & { run_uuid?: string };
  delete (info as { run_uuid?: string }).run_uuid;
  return {
    info: { ...info, artifact_uri: artifactUri.replace(id, '<id>') },
    metrics: byKey(run.data.metrics),
    params: byKey(run.data.params),
    tags: byKey(run.data.tags),
  };
}

describe('finished runs recorded in bulk', () => {
  let server: Awaited<ReturnType<typeof privateMlflow>> | undefined;
  let mlflow: MlflowClient;

  before(async function () {
    this.timeout(240_000);
    server = await privateMlflow(15012);
    mlflow = new MlflowClient(server.config.mlflow.trackingUri);
  });
  after(() => server?.close());

  it('record a run exactly as runs/create, runs/log-batch and runs/update would', async () => {
    const experimentId = await mlflow.ensureExperiment(uniqueId('bulk'));
    const [bulk] = (await mlflow.recordFinishedRuns(experimentId, [finished]))!;
    const rest = await mlflow.createRun({
      experimentId,
      runName: finished.runName,
      startTime: finished.startTime,
      tags: finished.tags,
    });
    await mlflow.logBatch(rest.info.run_id, { params: finished.params, metrics: finished.metrics });
    await mlflow.updateRun(rest.info.run_id, finished.status, finished.endTime);

    const recorded = await mlflow.getRun(bulk!.runId);
    assert.equal(bulk!.artifactUri, recorded.info.artifact_uri);
    assert.deepEqual(comparable(recorded), comparable(await mlflow.getRun(rest.info.run_id)));
    assert.equal(recorded.data.metrics?.find((m) => m.key === 'loss')?.value, 0.25);
    assert.deepEqual(
      await mlflow.metricHistory(bulk!.runId, 'loss'),
      await mlflow.metricHistory(rest.info.run_id, 'loss'),
    );
  });

  it('record every run of a request or none, and say what is wrong', async () => {
    const experimentId = await mlflow.ensureExperiment(uniqueId('bulk'));
    await assert.rejects(
      mlflow.recordFinishedRuns(experimentId, [
        finished,
        {
          ...finished,
          params: [
            { key: 'a', value: '1' },
            { key: 'a', value: '2' },
          ],
        },
      ]),
      (err: unknown) => err instanceof MlflowError && err.code === 'INVALID_PARAMETER_VALUE',
    );
    assert.equal(
      (await mlflow.searchRuns({ experimentIds: [experimentId] })).length,
      0,
      'nothing of the refused request was kept',
    );
    assert.equal(
      (await mlflow.recordFinishedRuns(experimentId, [finished, { ...finished, runName: 'evaluate' }]))?.length,
      2,
    );
    assert.deepEqual((await mlflow.searchRuns({ experimentIds: [experimentId] })).map((r) => r.info.run_name).sort(), [
      'evaluate',
      'train',
    ]);
  });

  it('go in several requests when there are more than one request takes, in the order given', async () => {
    const experimentId = await mlflow.ensureExperiment(uniqueId('bulk'));
    const names = Array.from({ length: 120 }, (_, i) => `map[${i}]`);
    const recorded = (await mlflow.recordFinishedRuns(
      experimentId,
      names.map((runName) => ({ ...finished, runName })),
    ))!;
    assert.equal(new Set(recorded.map((r) => r.runId)).size, 120);
    assert.equal((await mlflow.getRun(recorded[117]!.runId)).info.run_name, 'map[117]');
    assert.equal((await mlflow.searchRuns({ experimentIds: [experimentId] })).length, 120);
  });

  it('are not recorded by a server without the endpoint: the client says so once, and callers use the REST API', async () => {
    let requests = 0;
    const plain = createServer((_req, res) => {
      requests++;
      res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    try {
      const client = new MlflowClient(`http://127.0.0.1:${(plain.address() as AddressInfo).port}`);
      assert.equal(await client.recordFinishedRuns('1', [finished]), undefined);
      assert.equal(await client.recordFinishedRuns('1', [finished]), undefined);
      assert.equal(requests, 1);
    } finally {
      plain.close();
    }
  });
});
