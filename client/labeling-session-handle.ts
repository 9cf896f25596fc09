import { WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { LabelingSessionResult } from '../common/labeling.js';
import type { labelingSession } from '../workflows/labeling/labeling-session.js';
import { LabelingSessionError } from './errors.js';

const SESSION_TYPE = 'labelingSession';

/** What became of a closed session, in a few words: how it ended, or why it failed. */
async function closedBecause(handle: WorkflowHandle<typeof labelingSession>, status: string): Promise<string> {
  if (status === 'COMPLETED') {
    const result = (await handle.result().catch(() => undefined)) as LabelingSessionResult | undefined;
    return result ? ` after ${result.rounds.length} round(s) (${result.reason})` : '';
  }
  if (status === 'FAILED') {
    const failure = await handle.result().then(
      () => undefined,
      (err: unknown) => (err instanceof WorkflowFailedError ? (err.cause?.message ?? err.message) : undefined),
    );
    return failure ? `: ${failure.split('\n')[0]}` : '';
  }
  return '';
}

/**
 * A handle on a running labeling session, checked first, so that a person who names the wrong
 * workflow hears what it is rather than Temporal's "workflow execution already completed" or
 * "no handler registered": a workflow that does not exist, is of another type, or has closed
 * (completed, failed, cancelled, terminated, timed out) is refused by a LabelingSessionError
 * naming it.
 */
export async function labelingSessionHandle(
  client: Client,
  workflowId: string,
): Promise<WorkflowHandle<typeof labelingSession>> {
  const handle = client.workflow.getHandle<typeof labelingSession>(workflowId);
  let description: Awaited<ReturnType<typeof handle.describe>>;
  try {
    description = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new LabelingSessionError(
        `there is no workflow "${workflowId}" in namespace ${client.options.namespace}; find running sessions in the Web UI with the query LabelingStatus = "waiting"`,
      );
    throw err;
  }
  if (description.type !== SESSION_TYPE)
    throw new LabelingSessionError(
      `workflow "${workflowId}" is a ${description.type} workflow (${description.status.name.toLowerCase()}), not a labeling session; labels go to a ${SESSION_TYPE} workflow (started with \`tidemark label start\`)`,
    );
  const status = description.status.name;
  if (status !== 'RUNNING')
    throw new LabelingSessionError(
      `labeling session "${workflowId}" is ${status.toLowerCase().replace(/_/g, ' ')}${await closedBecause(handle, status)}; it takes no more labels. Start a new session to label more`,
    );
  return handle;
}
