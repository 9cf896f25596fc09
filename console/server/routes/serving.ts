import type { FastifyInstance } from 'fastify';
import type { ServingRow } from '../../../common/console-api.js';
import { deploymentStatusQuery } from '../../../common/serving-messages.js';
import type { ConsoleContext } from '../context.js';
import { listWorkflows } from '../workflow-list.js';

const QUERY_TIMEOUT_MS = 3000;

/** Serving: every running deployment with its status (versions, weights, gate readings, decisions). */
export function servingRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get('/api/serving', async (): Promise<ServingRow[]> => {
    const client = await ctx.temporal();
    const running = await listWorkflows(client, "WorkflowType = 'deployment' AND ExecutionStatus = 'Running'", 100);
    return Promise.all(
      running.map(async (wf): Promise<ServingRow> => {
        const row = { workflowId: wf.workflowId, temporalUrl: ctx.temporalUrl(wf.workflowId, wf.runId) };
        // A deployment whose workers are all gone does not answer; the others are not kept waiting for it.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no worker answered its status query within ${QUERY_TIMEOUT_MS / 1000} s`)),
            QUERY_TIMEOUT_MS,
          );
        });
        try {
          const status = await Promise.race([
            client.workflow.getHandle(wf.workflowId).query(deploymentStatusQuery),
            late,
          ]);
          return { ...row, status };
        } catch (err) {
          return { ...row, error: (err as Error).message };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  });
}
