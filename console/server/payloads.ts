import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

/** Payloads from a raw API answer (heartbeat details, say), decoded with the client's converter. */
export function decodePayloads<T>(client: Client, payloads: temporal.api.common.v1.IPayload[] | null | undefined): T[] {
  const converter = client.options.loadedDataConverter.payloadConverter;
  return (payloads ?? []).map((p) => converter.fromPayload<T>(p));
}

/** The message a failed workflow failed with, its cause's where that says more. */
export async function failureMessageOf(handle: WorkflowHandle): Promise<string | undefined> {
  try {
    await handle.result();
    return undefined;
  } catch (err) {
    if (err instanceof WorkflowFailedError) return err.cause?.message ?? err.message;
    return (err as Error).message;
  }
}
