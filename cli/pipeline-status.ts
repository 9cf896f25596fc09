import { WorkflowFailedError, type Client } from '@temporalio/client';
import { statusQuery, type PipelineStatus, type StepState } from '../common/messages.js';

/**
 * A pipeline's status: the live `status` query while it runs (or a worker is up to answer it);
 * for a closed workflow with no worker, what its result or failure recorded.
 */
export async function pipelineStatus(client: Client, workflowId: string): Promise<PipelineStatus> {
  const handle = client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const closed = description.status.name !== 'RUNNING';
  try {
    return await handle.query(statusQuery);
  } catch (err) {
    if (!closed) throw err;
  }
  const name = (description.memo?.dag as { name?: string } | undefined)?.name ?? workflowId;
  const base = { name, startedAt: description.startTime.getTime(), endedAt: description.closeTime?.getTime() };
  try {
    const result = (await handle.result()) as { steps: StepState[] };
    return { ...base, state: 'succeeded', steps: result.steps };
  } catch (err) {
    const details =
      err instanceof WorkflowFailedError
        ? ((err.cause as { details?: unknown[] } | undefined)?.details?.[0] as { steps?: StepState[] } | undefined)
        : undefined;
    const state = description.status.name === 'CANCELLED' ? 'cancelled' : 'failed';
    return { ...base, state, steps: details?.steps ?? [] };
  }
}

const COLOUR: Record<StepState['state'], string> = {
  pending: '90',
  running: '36',
  cached: '35',
  succeeded: '32',
  failed: '31',
  skipped: '33',
  cancelled: '31',
};

export function stepLine(s: StepState, now = Date.now(), colour = process.stdout.isTTY): string {
  const secs = s.durationMs !== undefined ? s.durationMs / 1000 : s.startedAt ? (now - s.startedAt) / 1000 : undefined;
  const state = colour ? `\u001b[${COLOUR[s.state]}m${s.state.padEnd(9)}\u001b[0m` : s.state.padEnd(9);
  const c = s.items;
  const progress =
    c && s.state === 'running'
      ? `${c.succeeded + c.cached + c.failed}/${c.total} items done${c.failed ? `, ${c.failed} failed` : ''}`
      : '';
  const extra = [s.attempt ? `attempt ${s.attempt + 1}` : '', progress || s.reason || ''].filter(Boolean).join('; ');
  return `${s.key.padEnd(24)} ${state} ${secs !== undefined ? `${secs.toFixed(1).padStart(7)} s` : '         '}${extra ? `  ${extra}` : ''}`;
}
