/**
 * `npm run demo`: the main job on the embedded stack. It makes sure the stack is up (and leaves
 * it running so you can look around), starts a worker in this process, runs the digits pipeline
 * (examples/digits), and prints where to see the results.
 */
import { dirname, join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { followPipeline } from '../cli/commands/run.js';
import { pipelineStatus } from '../cli/pipeline-status.js';
import { connectClient, workflowUiUrl } from '../client/client.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { createTidemarkWorker } from '../workers/create-worker.js';
import { readPipelineFile } from '../client/prepare-pipeline.js';
import { startPipeline } from '../client/start-pipeline.js';
import { PROJECT_ROOT } from './stack/paths.js';
import { Stack } from './stack/stack.js';

// The demo prints its own progress; the worker says only what goes wrong.
Runtime.install({ logger: new DefaultLogger('WARN') });

const PIPELINE = join(PROJECT_ROOT, 'examples', 'digits', 'pipeline.yaml');

async function main(): Promise<void> {
  const config = resolveConfig();
  console.log('demo: starting the stack (reusing whatever already runs) …');
  const stack = await Stack.ensure({ config, log: (l) => console.log(l) });
  const { worker, plugin, connection } = await createTidemarkWorker({ config });
  const client = await connectClient(config);
  try {
    const handle = await startPipeline(client, readPipelineFile(PIPELINE), {
      baseDir: dirname(PIPELINE),
      store: plugin.deps.store,
      taskQueue: config.temporal.taskQueue,
      workflowId: `digits-demo-${Date.now()}`,
    });
    console.log(
      `demo: running the digits pipeline as workflow ${handle.workflowId}\n  ${workflowUiUrl(config, handle.workflowId)}`,
    );
    const status = await worker.runUntil(async () => {
      const final = await followPipeline(() => pipelineStatus(client, handle.workflowId));
      await handle.result(); // throws the pipeline's failure, with the failing step's log tail
      return final;
    });
    const evaluate = status.steps.find((s) => s.key === 'evaluate');
    console.log(
      `\ndemo: done. Test accuracy ${evaluate?.metrics?.accuracy?.toFixed(4)}, macro F1 ${evaluate?.metrics?.f1_macro?.toFixed(4)}.`,
    );
    console.log(`  workflow:  ${workflowUiUrl(config, handle.workflowId)}`);
    console.log(`  status:    npm run tidemark -- status ${handle.workflowId}`);
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
