import {
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { deployUpdate, deploymentStatusQuery, type DeployAccepted } from '../common/serving-messages.js';
import {
  deploymentWorkflowId,
  parseModelRef,
  type DeployRequest,
  type DeploymentOptionsInput,
  type DeploymentStatus,
} from '../common/serving.js';
import type { deployment } from '../workflows/deployment/deployment.js';

export interface DeployOptions {
  taskQueue: string;
  /** Serving options; used when the deployment starts (a running deployment keeps its own). */
  options?: DeploymentOptionsInput;
  canary?: number[];
  /** Milliseconds, or a duration with a unit ("30s", "5m"). */
  dwellMs?: number | string;
  /** Workflow id (default `deployment-<model>`). */
  workflowId?: string;
}

/** The reason a refused update gives, under the client's wrapper. */
export function refusal(err: unknown): string {
  if (err instanceof WorkflowUpdateFailedError) return (err.cause as Error | undefined)?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Deploys `name@alias` or `name/version`: starts the model's deployment workflow if it is not
 * running (update-with-start, in one call) and sends it the `deploy` update. Resolves with what
 * the deployment accepted, or rejects with its reason (unknown model or alias, a version that
 * cannot be served, a rollout in progress).
 */
export async function deployModel(
  client: Client,
  ref: string,
  opts: DeployOptions,
): Promise<{ handle: WorkflowHandle<typeof deployment>; accepted: DeployAccepted }> {
  const parsed = parseModelRef(ref);
  if (!parsed) throw new TypeError(`"${ref}" is not a model reference: write name@alias or name/version`);
  const workflowId = opts.workflowId ?? deploymentWorkflowId(parsed.name);
  const start = new WithStartWorkflowOperation<typeof deployment>('deployment', {
    workflowId,
    taskQueue: opts.taskQueue,
    args: [{ model: parsed.name, options: opts.options }],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  const request: DeployRequest = { model: ref, canary: opts.canary, dwellMs: opts.dwellMs };
  const accepted = await client.workflow.executeUpdateWithStart(deployUpdate, {
    args: [request],
    startWorkflowOperation: start,
  });
  return { handle: await start.workflowHandle(), accepted };
}

/** The deployment of a model (by its workflow id, `deployment-<model>`). */
export function deploymentHandle(
  client: Client,
  model: string,
  workflowId?: string,
): WorkflowHandle<typeof deployment> {
  return client.workflow.getHandle<typeof deployment>(workflowId ?? deploymentWorkflowId(model));
}

/** Polls the status until `done` says so (or the timeout passes, with the last status in the error). */
export async function waitForDeployment(
  handle: WorkflowHandle<typeof deployment>,
  done: (s: DeploymentStatus) => boolean,
  timeoutMs = 300_000,
  everyMs = 500,
): Promise<DeploymentStatus> {
  const until = Date.now() + timeoutMs;
  let last: DeploymentStatus | undefined;
  while (Date.now() < until) {
    last = await handle.query(deploymentStatusQuery);
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `the deployment did not get there in ${timeoutMs / 1000} s; it is ${last?.state}: ${JSON.stringify(last?.decisions.slice(-3))}`,
  );
}
