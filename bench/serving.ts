/**
 * `npm run bench -- serving`: the same request load straight to a model server and through its
 * deployment's proxy with live-traffic sampling on, alternated in one run (autocannon on
 * loopback, bounded in time), and a rollout's time from `deploy` to 100% with zero dwell.
 */
import autocannon from 'autocannon';
import { connectClient } from '../client/client.js';
import { deployModel, waitForDeployment } from '../client/serving.js';
import { stopUpdate } from '../common/serving-messages.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { Stack } from '../scripts/stack/stack.js';
import { digitRows, registerDigitsModels } from '../test/builders/digits-models.js';
import { createTidemarkWorker } from '../workers/create-worker.js';
import { median } from './harness.js';

const ROUNDS = 3;
const SECONDS = 8;
const CONNECTIONS = 4;
const SAMPLE_RATE = 0.1;

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(url: string, body: string): Promise<Load> {
  const r = await autocannon({
    url: `${url}/invocations`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: SECONDS,
  });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.non2xx + r.errors };
}

export async function servingBench(): Promise<void> {
  const config = resolveConfig();
  await Stack.ensure({ config, log: () => undefined });
  const model = `bench-serving-${Date.now()}`;
  const [v1, v2] = await registerDigitsModels(config, model, [{ C: 0.01 }, { C: 1 }]);
  const taskQueue = `bench-serving-${Date.now()}`;
  const { worker, connection } = await createTidemarkWorker({ config, worker: { taskQueue } });
  const client = await connectClient(config);
  try {
    await worker.runUntil(async () => {
      const { handle } = await deployModel(client, `${model}/${v1}`, {
        taskQueue,
        options: {
          sampling: { rate: SAMPLE_RATE, batchRows: 1000, batchMs: '30s' },
          drainMs: 0,
          reconcileEveryMs: '5m',
        },
      });
      const first = await waitForDeployment(handle, (s) => s.state === 'stable', 600_000, 200);
      // A rollout with zero dwell: deploy to 100%, the new model server's start included.
      const t0 = performance.now();
      await deployModel(client, `${model}/${v2}`, { taskQueue, canary: [10, 50, 100], dwellMs: 0 });
      let readyAt = 0;
      const status = await waitForDeployment(
        handle,
        (s) => {
          if (!readyAt && s.state === 'canary') readyAt = performance.now();
          return s.stable?.version === v2 && s.weights[v2!] === 100;
        },
        600_000,
        50,
      );
      const rolloutMs = performance.now() - t0;
      console.log(
        `rollout to 100% with zero dwell: ${(rolloutMs / 1000).toFixed(1)} s (the new model server's start ${(((readyAt || performance.now()) - t0) / 1000).toFixed(1)} s of it, the three steps and promotion ${((performance.now() - (readyAt || t0)) / 1000).toFixed(1)} s)`,
      );
      void first;
      const body = JSON.stringify({ dataframe_split: digitRows(1, 5) });
      const direct = `http://127.0.0.1:${status.stable!.port}`;
      const proxied = status.endpoint!;
      await load(direct, body); // warm-up, both paths
      await load(proxied, body);
      const ratios: number[] = [];
      const d: Load[] = [];
      const p: Load[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const [a, b] =
          i % 2
            ? [await load(proxied, body), await load(direct, body)].reverse()
            : [await load(direct, body), await load(proxied, body)];
        d.push(a!);
        p.push(b!);
        ratios.push(b!.rps / a!.rps);
        console.log(
          `round ${i + 1}: direct ${a!.rps.toFixed(0)} rps p50 ${a!.p50} ms p99 ${a!.p99} ms; through the proxy (sampling ${SAMPLE_RATE}) ${b!.rps.toFixed(0)} rps p50 ${b!.p50} ms p99 ${b!.p99} ms; errors ${a!.errors + b!.errors}`,
        );
      }
      const p50 = median(p.map((x) => x.p50));
      const p99 = median(p.map((x) => x.p99));
      const overhead = median(p.map((x, i) => x.p50 - d[i]!.p50));
      await handle.executeUpdate(stopUpdate, { args: [] });
      console.log(
        `serving ratio=${median(ratios).toFixed(3)} p50_ms=${p50.toFixed(2)} p99_ms=${p99.toFixed(2)} overhead_p50_ms=${overhead.toFixed(2)}`,
      );
    });
  } finally {
    await client.connection.close();
    await connection.close();
  }
}
