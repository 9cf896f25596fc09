import { WorkflowFailedError, type Client } from '@temporalio/client';
import { statusQuery, type PipelineStatus, type StepState, type StepStateName } from '../common/messages.js';

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
  // What a result (or a failure's details) records besides the steps it lists.
  type Recorded = Pick<PipelineStatus, 'steps' | 'stepsOmitted' | 'counts'>;
  const recorded = (r: Partial<Recorded> | undefined) => ({
    steps: r?.steps ?? [],
    ...(r?.stepsOmitted ? { stepsOmitted: r.stepsOmitted } : {}),
    ...(r?.counts ? { counts: r.counts } : {}),
  });
  try {
    const result = (await handle.result()) as Recorded;
    return { ...base, state: 'succeeded', ...recorded(result) };
  } catch (err) {
    const details =
      err instanceof WorkflowFailedError
        ? ((err.cause as { details?: unknown[] } | undefined)?.details?.[0] as Partial<Recorded> | undefined)
        : undefined;
    const state = description.status.name === 'CANCELLED' ? 'cancelled' : 'failed';
    return { ...base, state, ...recorded(details) };
  }
}

/** `9,998 cached, 2 succeeded`: steps by state, the most first. */
export function countsLine(counts: Partial<Record<StepStateName, number>>): string {
  return (Object.entries(counts) as [StepStateName, number][])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([state, n]) => `${n.toLocaleString('en-US')} ${state}`)
    .join(', ');
}

/**
 * What `steps` does not show of a pipeline, one line each: the earlier runs of one that
 * continued as new, and the steps a closed pipeline's result left out.
 */
export function unlistedLines(status: PipelineStatus): string[] {
  const lines: string[] = [];
  if (status.earlier?.runs)
    lines.push(
      `${status.earlier.runs} earlier run${status.earlier.runs === 1 ? '' : 's'} (continued as new): ${countsLine(status.earlier.steps) || 'no steps'}`,
    );
  if (status.stepsOmitted)
    lines.push(
      `${status.stepsOmitted.toLocaleString('en-US')} more steps of the last run are not listed: a result keeps ${status.steps.length}, failed ones first`,
    );
  // A closed pipeline's counts say more than its listed steps when some were left out or ran in earlier runs.
  const counted = Object.values(status.counts ?? {}).reduce((a, n) => a + (n ?? 0), 0);
  if (status.counts && counted > status.steps.length) lines.push(`all steps: ${countsLine(status.counts)}`);
  return lines;
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
