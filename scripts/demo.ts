/**
 * `npm run demo`: the main job on the embedded stack, the way a user runs it. It makes sure the
 * stack is up (and leaves it running so you can look around), starts a worker in this process,
 * runs the digits pipeline (examples/digits) with the built `tidemark` command
 * (`tidemark run … --wait`, then `tidemark status --json`), and prints where to see the results.
 * `npm run demo` builds the package first.
 */
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { execa } from 'execa';
import type { PipelineStatus } from '../common/messages.js';
import { workflowUiUrl } from '../client/client.js';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { createTidemarkWorker } from '../workers/create-worker.js';
import { PROJECT_ROOT } from './stack/paths.js';
import { Stack } from './stack/stack.js';

// The demo prints its own progress; the worker says only what goes wrong.
Runtime.install({ logger: new DefaultLogger('WARN') });

const PIPELINE = join(PROJECT_ROOT, 'examples', 'digits', 'pipeline.yaml');
/** The `tidemark` command as the package installs it (npm run build makes it). */
const TIDEMARK = join(PROJECT_ROOT, 'dist', 'cli', 'main.js');

/** Runs `tidemark <args>` as a user would, with its output on this terminal (or captured). */
function tidemark(args: string[], capture = false) {
  return execa(process.execPath, [TIDEMARK, ...args], { stdio: capture ? 'pipe' : 'inherit', reject: true });
}

async function main(): Promise<void> {
  const config = resolveConfig();
  console.log('demo: starting the stack (reusing whatever already runs) …');
  const stack = await Stack.ensure({ config, log: (l) => console.log(l) });
  const { worker, connection } = await createTidemarkWorker({ config });
  const workflowId = `digits-demo-${Date.now()}`;
  try {
    const status = await worker.runUntil(async () => {
      console.log(`demo: tidemark run examples/digits/pipeline.yaml --wait --id ${workflowId}`);
      await tidemark(['run', PIPELINE, '--wait', '--id', workflowId]);
      const { stdout } = await tidemark(['status', workflowId, '--json'], true);
      return JSON.parse(String(stdout)) as PipelineStatus;
    });
    const evaluate = status.steps.find((s) => s.key === 'evaluate');
    console.log(
      `\ndemo: done. Test accuracy ${evaluate?.metrics?.accuracy?.toFixed(4)}, macro F1 ${evaluate?.metrics?.f1_macro?.toFixed(4)}.`,
    );
    console.log(`  workflow:  ${workflowUiUrl(config, workflowId)}`);
    console.log(`  status:    npm run tidemark -- status ${workflowId}`);
  } finally {
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
