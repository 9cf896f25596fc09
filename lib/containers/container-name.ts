import { createHash } from 'node:crypto';

/**
 * The container name for one step of one workflow run: the same on every attempt, so a retry
 * after a worker crash finds the container instead of starting another.
 */
export function containerName(workflowId: string, runId: string, stepKey: string): string {
  const slug =
    stepKey
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 40) || 'step';
  const hash = createHash('sha256').update(`${workflowId}\0${runId}\0${stepKey}`).digest('hex').slice(0, 16);
  return `tm-${slug}-${hash}`;
}

/** Labels on every container Tidemark starts, so tests and clean-up can find them. */
export function containerLabels(workflowId: string, runId: string, stepKey: string): Record<string, string> {
  return {
    'tidemark.managed': 'true',
    'tidemark.workflow-id': workflowId,
    'tidemark.run-id': runId,
    'tidemark.step': stepKey,
  };
}
