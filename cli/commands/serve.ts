import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
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

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('serve registered models behind a proxy; roll new versions out by canary');

  serve
    .command('deploy <model>')
    .description('deploy name@alias or name/version: the first version is served at once, later ones by canary')
    .option('--canary <steps>', 'traffic steps in percent, e.g. 10,50,100')
    .option('--dwell <duration>', 'time at each step before its gates are judged, e.g. 5m or 30s')
    .option('--sample-rate <share>', 'share of requests sampled as live traffic (first deploy only), e.g. 0.1')
    .option('--batch-rows <n>', 'rows per live-traffic batch (first deploy only)')
    .option('--batch-time <duration>', 'longest a live-traffic batch waits for rows (first deploy only)')
    .option(
      '--monitor <plugin>',
      'check each live batch with this checker plugin against --reference (first deploy only)',
    )
    .option('--reference <file>', "the checker's reference data (CSV or .npy)")
    .option('--wait', 'wait until the rollout has ended, and print the decision')
    .action(
      async (
        ref: string,
        opts: {
          canary?: string;
          dwell?: string;
          sampleRate?: string;
          batchRows?: string;
          batchTime?: string;
          monitor?: string;
          reference?: string;
          wait?: boolean;
        },
      ) => {
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
      },
    );

  serve
    .command('status <model>')
    .description('versions, weights, gate readings and recent decisions')
    .option('--json', 'print the whole status as JSON')
    .action(async (model: string, opts: { json?: boolean }) => {
      await withClient(async (client) => {
        const s = await deploymentHandle(client, modelName(model)).query(deploymentStatusQuery);
        console.log(opts.json ? JSON.stringify(s, null, 2) : renderDeployment(s));
      });
    });

  const command = (
    name: string,
    description: string,
    send: (
      h: ReturnType<typeof deploymentHandle>,
      opts: { reason?: string },
    ) => Promise<{ state: string; version?: string }>,
  ) =>
    serve
      .command(`${name} <model>`)
      .description(description)
      .option('--reason <text>', 'recorded with the decision (rollback)')
      .action(async (model: string, opts: { reason?: string }) => {
        await withClient(async (client) => {
          try {
            const r = await send(deploymentHandle(client, modelName(model)), opts);
            console.log(`${modelName(model)}: ${r.state}${r.version ? ` (v${r.version})` : ''}`);
          } catch (err) {
            console.error(`refused: ${refusal(err)}`);
            process.exitCode = 1;
          }
        });
      });
  command('promote', 'skip the remaining canary steps: the canary takes all traffic', (h) =>
    h.executeUpdate(promoteUpdate, { args: [] }),
  );
  command('rollback', 'send all traffic back to the stable version and remove the canary', (h, o) =>
    h.executeUpdate(rollbackUpdate, { args: [{ reason: o.reason }] }),
  );
  command('pause', 'hold the rollout at its current weight', (h) => h.executeUpdate(pauseUpdate, { args: [] }));
  command('resume', 'go on with a paused rollout', (h) => h.executeUpdate(resumeUpdate, { args: [] }));
  command('stop', 'stop every model server and the proxy of the deployment', (h) =>
    h.executeUpdate(stopUpdate, { args: [] }),
  );

  serve
    .command('predict <model>')
    .description('send rows to the deployment (through its proxy) and print the predictions')
    .requiredOption('-f, --file <rows.csv>', 'a CSV with a header of feature names')
    .option('--drop <columns>', 'columns of the CSV not to send, e.g. label')
    .action(async (model: string, opts: { file: string; drop?: string }) => {
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
    });
}
