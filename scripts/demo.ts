/**
 * `npm run demo`: the main job on the embedded stack. It makes sure the stack is up (and leaves
 * it running so you can look around), starts a worker in this process, runs the demo workflow,
 * and prints where to see the results.
 */
import { SMOKE_EXPERIMENT, type SmokeResult } from '../activities/smoke';
import { connectClient, workflowUiUrl } from '../workers/client';
import { resolveConfig } from '../workers/config';
import { createTidemarkWorker } from '../workers/create-worker';
import { Stack } from './stack/stack';

async function main(): Promise<void> {
  const config = resolveConfig();
  console.log('demo: starting the stack (reusing whatever already runs) …');
  const stack = await Stack.ensure({ config, log: (l) => console.log(l) });
  const { worker, connection } = await createTidemarkWorker({ config });
  const client = await connectClient(config);
  try {
    const workflowId = `demo-smoke-${Date.now()}`;
    console.log(`demo: running workflow ${workflowId}`);
    const result = await worker.runUntil(
      client.workflow.execute('smoke', { taskQueue: config.temporal.taskQueue, workflowId, args: [{ message: 'hello from the Tidemark demo' }] }) as Promise<SmokeResult>,
    );
    console.log(`demo: done.`);
    console.log(`  workflow:     ${workflowUiUrl(config, workflowId)}`);
    console.log(`  stdout:       ${result.stdout.uri}`);
    console.log(`  MLflow run:   ${config.mlflow.trackingUri}/#/experiments/${result.experimentId}/runs/${result.mlflowRunId} (experiment ${SMOKE_EXPERIMENT})`);
  } finally {
    await client.connection.close();
    await connection.close();
  }
  console.log('\nThe stack stays up:');
  for (const line of stack.urls()) console.log(`  ${line}`);
  console.log('Stop it with `npm run stack -- --stop`.');
}

main().catch((err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
