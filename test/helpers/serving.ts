import Docker from 'dockerode';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import { digitRows, registerDigitsModels as register } from '../builders/digits-models.js';
import { testConfig } from './integration.js';

export { digitRows };

/** Digits classifiers registered as versions of `model` (see test/builders/digits-models.ts). */
export const registerDigitsModels = (model: string, specs: Parameters<typeof register>[2]) =>
  register(testConfig, model, specs);

export const mlflow = new MlflowClient(testConfig.mlflow.trackingUri);

/** Sends `n` predictions to `endpoint` one at a time; returns the status codes. */
export async function predict(endpoint: string, n: number, rows = 1, seed = 1): Promise<number[]> {
  const codes: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${endpoint}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataframe_split: digitRows(rows, seed + i) }),
    });
    await res.arrayBuffer();
    codes.push(res.status);
  }
  return codes;
}

/** Keeps sending predictions until stopped (traffic for a rollout's gates). */
export function steadyTraffic(endpoint: () => string | undefined, everyMs = 20): { stop(): Promise<number[]> } {
  let on = true;
  const codes: number[] = [];
  const loop = (async () => {
    let i = 0;
    while (on) {
      const e = endpoint();
      if (e) codes.push(...(await predict(e, 1, 1, i++).catch(() => [0])));
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      on = false;
      await loop;
      return codes;
    },
  };
}

/** Containers of a deployment (its model servers), from Docker. */
export async function servingContainers(deploymentId: string): Promise<Docker.ContainerInfo[]> {
  const docker = new Docker({ socketPath: testConfig.containers.dockerSocket });
  return docker.listContainers({ all: true, filters: { label: [`tidemark.serving=${deploymentId}`] } });
}
