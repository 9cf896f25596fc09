import { Context } from '@temporalio/activity';

/** The workflow execution that scheduled the current activity. */
export function callingWorkflow(): { workflowId: string; runId: string } {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new TypeError('this Tidemark activity must be called from a workflow');
  return execution;
}
