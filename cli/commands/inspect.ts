import type { Client } from '@temporalio/client';
import type { StepState } from '../../common/messages.js';
import { openArtifactStore } from '../../lib/artifacts/open-artifact-store.js';
import type { StepHeartbeat } from '../../common/step-run.js';
import { withClient } from '../context.js';
import { pipelineStatus, stepLine, unlistedLines } from '../pipeline-status.js';

type PendingActivity = {
  activityType?: { name?: string | null } | null;
  heartbeatDetails?: { payloads?: unknown[] | null } | null;
};

/** The latest heartbeat of the step's running activity, if any. */
function heartbeatOf(client: Client, pending: PendingActivity[], stepKey: string): StepHeartbeat | undefined {
  for (const a of pending) {
    const payload = a.heartbeatDetails?.payloads?.[0];
    if (!payload || a.activityType?.name !== 'runStep') continue;
    const beat = client.options.loadedDataConverter.payloadConverter.fromPayload(payload as never) as StepHeartbeat;
    if (beat.stepKey === stepKey) return beat;
  }
  return undefined;
}

export interface StatusOptions {
  json?: boolean;
  items?: string;
  limit?: string;
  offset?: string;
}

export async function statusCommand(id: string, opts: StatusOptions): Promise<void> {
  await withClient(async (client) => {
    const status = await pipelineStatus(client, id);
    if (opts.items) return void console.log(mapItemLines(id, status.steps, opts.items, opts).join('\n'));
    if (opts.json) return void console.log(JSON.stringify(status, null, 2));
    console.log(`${status.name}: ${status.state}`);
    for (const s of status.steps) {
      console.log(`  ${stepLine(s)}`);
      for (const [name, ref] of Object.entries(s.outputs ?? {})) {
        const refs = Array.isArray(ref) ? ref : [ref];
        console.log(`      ${name}: ${refs.map((r) => `${r.uri} (${r.size} B)`).join(', ')}`);
      }
    }
    for (const line of unlistedLines(status)) console.log(`  ${line}`);
  });
}

export async function logsCommand(id: string, step: string, opts: { follow?: boolean }): Promise<void> {
  await withClient(async (client, config) => {
    const store = openArtifactStore(config);
    const handle = client.workflow.getHandle(id);
    let shown: string[] = [];
    const printNew = (lines: string[]) => {
      // The heartbeat carries the latest lines; print what follows the last line shown.
      let start = 0;
      if (shown.length) {
        const last = shown[shown.length - 1];
        const at = lines.lastIndexOf(last!);
        start = at >= 0 ? at + 1 : 0;
      }
      for (const line of lines.slice(start)) console.log(line);
      shown = [...shown, ...lines.slice(start)].slice(-200);
    };
    for (;;) {
      const status = await pipelineStatus(client, id);
      const s = status.steps.find((x) => x.key === step);
      if (!s)
        throw new Error(`pipeline ${id} has no step "${step}" (steps: ${status.steps.map((x) => x.key).join(', ')})`);
      if (s.state !== 'running' && s.state !== 'pending') {
        if (!s.log)
          return void console.error(`step "${step}" is ${s.state} and has no log${s.reason ? ` (${s.reason})` : ''}`);
        const lines = (await store.getBytes(s.log)).toString().split('\n');
        if (lines.at(-1) === '') lines.pop();
        if (shown.length) printNew(lines);
        else for (const line of lines) console.log(line);
        return;
      }
      if (!opts.follow) {
        const described = await handle.describe();
        const beat = heartbeatOf(client, described.raw.pendingActivities ?? [], step);
        console.error(`step "${step}" is ${s.state}; its latest lines (use --follow to stream):`);
        for (const line of beat?.lastLines ?? []) console.log(line);
        return;
      }
      const described = await handle.describe();
      const beat = heartbeatOf(client, described.raw.pendingActivities ?? [], step);
      if (beat) printNew(beat.lastLines);
      await new Promise((r) => setTimeout(r, 1000));
    }
  });
}

export async function cancelCommand(id: string): Promise<void> {
  await withClient(async (client) => {
    const handle = client.workflow.getHandle(id);
    await handle.cancel();
    await handle.result().catch(() => undefined);
    const d = await handle.describe();
    console.log(`${id}: ${d.status.name.toLowerCase()}`);
  });
}

/**
 * A page of the items of every map in one state. A small map lists its items in the pipeline's
 * status; a sharded map keeps counts and its failed items (the first 100), and its shards
 * (`<id>/<step>[a-b]`, each with its own status query) hold the rest.
 */
export function mapItemLines(
  id: string,
  steps: StepState[],
  state: string,
  opts: { limit?: string; offset?: string },
): string[] {
  const limit = Number(opts.limit ?? 50);
  const offset = Number(opts.offset ?? 0);
  if (!Number.isInteger(limit) || limit < 1 || !Number.isInteger(offset) || offset < 0)
    throw new Error('--limit is a whole number of at least 1, --offset a whole number of at least 0');
  const lines: string[] = [];
  for (const s of steps.filter((x) => x.mapIndex === undefined)) {
    const inline = steps.filter((x) => x.step === s.key && x.mapIndex !== undefined);
    if (!inline.length && !s.items) continue;
    if (s.items) {
      const c = s.items;
      lines.push(
        `${s.key}: ${c.total} items: ${c.succeeded} succeeded, ${c.cached} cached, ${c.failed} failed, ${c.cancelled} cancelled`,
      );
      if (state === 'failed')
        for (const f of (s.failedItems ?? []).slice(offset, offset + limit))
          lines.push(`  [${f.index}] ${f.exitCode !== undefined ? `exit ${f.exitCode}: ` : ''}${f.reason}`);
      else
        lines.push(
          `  items of a sharded map are listed by its shards: tidemark status '${id}/${s.key}[<from>-<to>]' --items ${state}`,
        );
      continue;
    }
    const matching = inline.filter((x) => x.state === state);
    lines.push(`${s.key}: ${matching.length} of ${inline.length} items ${state}`);
    for (const x of matching.slice(offset, offset + limit)) lines.push(`  ${stepLine(x)}`);
  }
  return lines.length ? lines : [`pipeline ${id} has no mapped step`];
}
