import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { BadRequestError } from './errors.js';

/** Values a list filter may hold: search-attribute values of Tidemark's own making (names, states, step keys). */
const SAFE_VALUE = /^[\w.\-[\], ]{1,200}$/;

/** `Key = 'value'` for a visibility query, refusing values that could break out of the quotes. */
export function equals(key: string, value: string): string {
  if (!SAFE_VALUE.test(value))
    throw new BadRequestError(
      `filter ${key}: "${value}" holds characters a filter does not take (letters, digits, _ . - [ ] , and spaces)`,
    );
  return `${key} = '${value}'`;
}

/** The newest executions that match `query` (at most `limit`), newest first. */
export async function listWorkflows(client: Client, query: string, limit = 100): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const wf of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
    out.push(wf);
    if (out.length >= limit) break;
  }
  return out;
}
