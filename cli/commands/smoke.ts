import { workflowUiUrl } from '../../client/client.js';
import { mlflowRunUrl } from '../../lib/mlflow/ui-links.js';
import { withClient } from '../context.js';

export async function smokeCommand(opts: { message: string; id?: string }): Promise<void> {
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
    console.log(`MLflow run: ${mlflowRunUrl(config.mlflow.trackingUri, result.experimentId, result.mlflowRunId)}`);
  });
}
