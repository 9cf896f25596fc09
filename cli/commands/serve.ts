import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { deployModel, deploymentHandle, refusal, waitForDeployment } from '../../client/serving.js';
import { workflowUiUrl } from '../../client/client.js';
import {
  deploymentStatusQuery,
  pauseUpdate,
  promoteUpdate,
  resumeUpdate,
  rollbackUpdate,
  stopUpdate,
} from '../../common/serving-messages.js';
import { parseModelRef, type DeploymentOptionsInput, type DeploymentStatus } from '../../common/serving.js';
import { openArtifactStore } from '../../lib/artifacts/open-artifact-store.js';
import { withClient } from '../context.js';

const pct = (n: number) => `${n}%`;

/** A status as a few lines of text. */
export function renderDeployment(s: DeploymentStatus): string {
  const lines = [`${s.model}: ${s.state}${s.endpoint ? `  ${s.endpoint}/invocations` : ''}`];
  if (s.stable)
    lines.push(
      `  stable  v${s.stable.version}  weight ${pct(s.weights[s.stable.version] ?? 0)}  (${s.stable.flavors.join(', ')})`,
    );
  if (s.rollout && s.canary)
    lines.push(
      `  canary  v${s.canary.version}  weight ${pct(s.weights[s.canary.version] ?? 0)}  step ${s.rollout.stepIndex + 1} of ${s.rollout.steps.join(' → ')}${s.rollout.paused ? '  (paused)' : ''}`,
    );
  for (const g of s.gates.slice(-3))
    lines.push(
      `  gate at ${pct(g.weight)}: ${g.passed ? 'passed' : g.insufficient ? 'waiting for traffic' : 'FAILED'}  canary ${g.canary.requests} req, ${(g.canary.errorRate * 100).toFixed(1)}% errors, p99 ${g.canary.p99Ms ?? '-'} ms${g.stable ? `; stable ${(g.stable.errorRate * 100).toFixed(1)}%, p99 ${g.stable.p99Ms ?? '-'} ms` : ''}`,
    );
  if (s.driftAlarm) lines.push(`  DRIFT ALARM on live traffic (monitor ${s.monitorWorkflowId})`);
  for (const d of s.decisions.slice(-5))
    lines.push(
      `  ${new Date(d.at).toISOString()}  ${d.kind}${d.version ? ` v${d.version}` : ''}${d.weight !== undefined ? ` at ${pct(d.weight)}` : ''}${d.reason ? `: ${d.reason}` : ''}`,
    );
  if (s.metrics) lines.push(`  metrics: ${s.metrics.join('  ')}`);
  return lines.join('\n');
}

function modelName(arg: string): string {
  return parseModelRef(arg)?.name ?? arg;
}

export interface ServeDeployOptions {
  canary?: string;
  dwell?: string;
  sampleRate?: string;
  batchRows?: string;
  batchTime?: string;
  monitor?: string;
  reference?: string;
  wait?: boolean;
}

/** `tidemark serve deploy`: the first version is served at once, later ones by canary. */
export async function serveDeployCommand(ref: string, opts: ServeDeployOptions): Promise<void> {
  await withClient(async (client, config) => {
    const options: DeploymentOptionsInput = {
      sampling: {
        rate: opts.sampleRate ? Number(opts.sampleRate) : undefined,
        batchRows: opts.batchRows ? Number(opts.batchRows) : undefined,
        batchMs: opts.batchTime,
      },
    };
    if (opts.monitor) {
      if (!opts.reference)
        throw new Error('--monitor needs --reference <file>: the data live batches are compared with');
      const reference = await openArtifactStore(config).put(resolve(opts.reference), 'reference');
      options.monitor = { checks: [{ plugin: opts.monitor, reference }] };
    }
    try {
      const { handle, accepted } = await deployModel(client, ref, {
        taskQueue: config.temporal.taskQueue,
        options,
        canary: opts.canary?.split(',').map(Number),
        dwellMs: opts.dwell,
      });
      console.log(
        `deploying ${modelName(ref)} v${accepted.version}: ${accepted.steps.join(' → ')}%, ${accepted.dwellMs / 1000} s a step`,
      );
      console.log(`  ${workflowUiUrl(config, handle.workflowId)}`);
      if (opts.wait) {
        const s = await waitForDeployment(
          handle,
          (st) =>
            !st.rollout &&
            st.state !== 'rolling-back' &&
            (st.stable?.version === accepted.version ||
              st.decisions.some((d) => d.version === accepted.version && d.kind === 'rolled-back')),
          24 * 3600_000,
          1000,
        );
        console.log(renderDeployment(s));
      }
    } catch (err) {
      console.error(`refused: ${refusal(err)}`);
      process.exitCode = 1;
    }
  });
}

/** `tidemark serve status`. */
export async function serveStatusCommand(model: string, opts: { json?: boolean }): Promise<void> {
  await withClient(async (client) => {
    const s = await deploymentHandle(client, modelName(model)).query(deploymentStatusQuery);
    console.log(opts.json ? JSON.stringify(s, null, 2) : renderDeployment(s));
  });
}

/** The updates `tidemark serve <name> <model>` sends. */
const UPDATES = {
  promote: (h: DeploymentHandle) => h.executeUpdate(promoteUpdate, { args: [] }),
  rollback: (h: DeploymentHandle, o: { reason?: string }) =>
    h.executeUpdate(rollbackUpdate, { args: [{ reason: o.reason }] }),
  pause: (h: DeploymentHandle) => h.executeUpdate(pauseUpdate, { args: [] }),
  resume: (h: DeploymentHandle) => h.executeUpdate(resumeUpdate, { args: [] }),
  stop: (h: DeploymentHandle) => h.executeUpdate(stopUpdate, { args: [] }),
} satisfies Record<
  string,
  (h: DeploymentHandle, o: { reason?: string }) => Promise<{ state: string; version?: string }>
>;
type DeploymentHandle = ReturnType<typeof deploymentHandle>;
export type ServeUpdate = keyof typeof UPDATES;

/** `tidemark serve promote|rollback|pause|resume|stop <model>`. */
export async function serveUpdateCommand(name: ServeUpdate, model: string, opts: { reason?: string }): Promise<void> {
  await withClient(async (client) => {
    try {
      const r: { state: string; version?: string } = await UPDATES[name](
        deploymentHandle(client, modelName(model)),
        opts,
      );
      console.log(`${modelName(model)}: ${r.state}${r.version ? ` (v${r.version})` : ''}`);
    } catch (err) {
      console.error(`refused: ${refusal(err)}`);
      process.exitCode = 1;
    }
  });
}

/** `tidemark serve predict`: rows of a CSV through the deployment's proxy. */
export async function servePredictCommand(model: string, opts: { file: string; drop?: string }): Promise<void> {
  const records = parse(readFileSync(resolve(opts.file)), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  const drop = new Set(opts.drop?.split(',') ?? []);
  const columns = Object.keys(records[0] ?? {}).filter((c) => !drop.has(c));
  const data = records.map((r) => columns.map((c) => Number(r[c])));
  await withClient(async (client) => {
    const s = await deploymentHandle(client, modelName(model)).query(deploymentStatusQuery);
    if (!s.endpoint)
      throw new Error(
        `${modelName(model)} serves nothing yet; deploy it first (tidemark serve deploy ${modelName(model)}@champion)`,
      );
    const res = await fetch(`${s.endpoint}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dataframe_split: { columns, data } }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`the model answered ${res.status}: ${text.slice(0, 500)}`);
    const predictions = (JSON.parse(text) as { predictions: unknown[] }).predictions;
    for (const p of predictions) console.log(typeof p === 'object' ? JSON.stringify(p) : String(p));
  });
}
