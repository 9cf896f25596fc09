import { MlflowClient, type MlflowMetric } from '../lib/mlflow/mlflow-client.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { Stack } from '../scripts/stack/stack.js';
import { median } from './harness.js';

const N = 10_000;

/** 10,000 metrics for one run through MlflowClient, against plain batched REST calls, alternated. */
export async function trackingBench(): Promise<void> {
  const config = resolveConfig();
  await Stack.ensure({ config, log: () => undefined });
  const client = new MlflowClient(config.mlflow.trackingUri);
  const experimentId = await client.ensureExperiment('tidemark-bench');
  const metrics = (round: number): MlflowMetric[] =>
    Array.from({ length: N }, (_, i) => ({
      key: `m${i % 50}`,
      value: Math.sin(i + round),
      timestamp: 1_700_000_000_000 + i,
      step: i,
    }));

  const plain = async (runId: string, ms: MlflowMetric[]) => {
    for (let i = 0; i < ms.length; i += 1000) {
      const res = await fetch(`${config.mlflow.trackingUri}/api/2.0/mlflow/runs/log-batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ run_id: runId, metrics: ms.slice(i, i + 1000), params: [], tags: [] }),
      });
      if (!res.ok) throw new Error(await res.text());
    }
  };
  const viaClient = (runId: string, ms: MlflowMetric[]) => client.logBatch(runId, { metrics: ms });

  const times: Record<'client' | 'plain', number[]> = { client: [], plain: [] };
  for (let round = 0; round < 3; round++) {
    for (const [name, fn] of [
      ['plain', plain],
      ['client', viaClient],
    ] as const) {
      const run = await client.createRun({ experimentId, runName: `${name}-${round}` });
      const ms = metrics(round);
      const t0 = performance.now();
      await fn(run.info.run_id, ms);
      times[name].push(performance.now() - t0);
    }
  }
  const c = median(times.client);
  const p = median(times.plain);
  console.log(`client ${c.toFixed(0)} ms, plain ${p.toFixed(0)} ms for ${N} metrics (median of 3)`);
  console.log(`tracking ratio=${(c / p).toFixed(3)}`);
}
