import type { Command } from 'commander';
import { workflowUiUrl } from '../../client/client.js';
import { withClient } from '../context.js';

export function registerSmoke(program: Command): void {
  program
    .command('smoke')
    .description('run the smoke workflow: one busybox container, its stdout in MinIO, one MLflow run')
    .option('-m, --message <text>', 'what the container echoes', 'hello from tidemark')
    .option('--id <workflowId>', 'workflow id (default: smoke-<time>)')
    .action(async (opts: { message: string; id?: string }) => {
      await withClient(async (client, config) => {
        const workflowId = opts.id ?? `smoke-${Date.now()}`;
        const handle = await client.workflow.start('smoke', {
          taskQueue: config.temporal.taskQueue,
          workflowId,
          args: [{ message: opts.message }],
        });
        console.log(`started ${workflowId}\n  ${workflowUiUrl(config, workflowId, handle.firstExecutionRunId)}`);
        const result = (await handle.result()) as {
          stdout: { uri: string; size: number };
          mlflowRunId: string;
          experimentId: string;
        };
        console.log(`stdout stored at ${result.stdout.uri} (${result.stdout.size} bytes)`);
        console.log(
          `MLflow run: ${config.mlflow.trackingUri}/#/experiments/${result.experimentId}/runs/${result.mlflowRunId}`,
        );
      });
    });
}
