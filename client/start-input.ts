import type { Client } from '@temporalio/client';

/**
 * The input a workflow run was started with, from its first history event alone. A whole
 * history of a large pipeline's run can pass the client's 4 MB message limit in one page (a
 * 10,000-step chain's did), and its first event is all a retry or a console page needs.
 */
export async function startInput<T>(client: Client, workflowId: string, runId?: string): Promise<T | undefined> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  return payload ? client.options.loadedDataConverter.payloadConverter.fromPayload<T>(payload) : undefined;
}
