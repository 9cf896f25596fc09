import { dirname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { openArtifactStore } from '../../lib/artifacts/open-artifact-store.js';
import type { PipelineStatus } from '../../common/messages.js';
import { workflowUiUrl } from '../../client/client.js';
import { readPipelineFile } from '../../client/prepare-pipeline.js';
import { startPipeline } from '../../client/start-pipeline.js';
import { withClient } from '../context.js';
import { collect, parseParams } from '../params.js';
import { pipelineStatus, stepLine } from '../pipeline-status.js';

const DONE = new Set(['succeeded', 'cached', 'failed', 'skipped', 'cancelled']);

/** Follows a pipeline until it closes: a live line per step (a progress bar on a terminal, changed lines otherwise). */
export async function followPipeline(read: () => Promise<PipelineStatus>, intervalMs = 1000): Promise<PipelineStatus> {
  const tty = process.stdout.isTTY === true;
  const multi = tty
    ? new cliProgress.MultiBar(
        { format: '{bar} {line}', barsize: 12, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const bars = new Map<string, cliProgress.SingleBar>();
  const printed = new Map<string, string>();
  for (;;) {
    const status = await read();
    for (const s of status.steps) {
      const line = stepLine(s, Date.now(), tty);
      const progress = DONE.has(s.state) ? 1 : s.state === 'running' ? 0.5 : 0;
      if (multi) {
        const bar = bars.get(s.key) ?? multi.create(1, 0, { line });
        bars.set(s.key, bar);
        bar.update(progress, { line });
      } else if (printed.get(s.key) !== `${s.state}`) {
        printed.set(s.key, s.state);
        console.log(line);
      }
    }
    if (status.state !== 'running') {
      multi?.stop();
      return status;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function registerRun(program: Command): void {
  program
    .command('run <pipeline>')
    .description('validate a pipeline (YAML or JSON), upload its local files, and start it')
    .option('-p, --param <key=value>', 'override a param (repeatable)', collect, [])
    .option('--id <workflowId>', 'workflow id (default: <name>-<random>)')
    .option('-w, --wait', 'follow the pipeline until it ends, a live line per step')
    .option('--allow-outside-paths', "upload local files the spec names outside the pipeline file's folder")
    .action(
      async (file: string, opts: { param: string[]; id?: string; wait?: boolean; allowOutsidePaths?: boolean }) => {
        const path = resolve(file);
        const raw = readPipelineFile(path);
        const params = parseParams(opts.param);
        await withClient(async (client, config) => {
          const store = openArtifactStore(config);
          const handle = await startPipeline(client, raw, {
            baseDir: dirname(path),
            store,
            taskQueue: config.temporal.taskQueue,
            workflowId: opts.id,
            params,
            allowPathsOutside: opts.allowOutsidePaths,
          });
          console.log(`started ${handle.workflowId}`);
          console.log(`  ${workflowUiUrl(config, handle.workflowId)}`);
          if (!opts.wait) return;
          const final = await followPipeline(() => pipelineStatus(client, handle.workflowId));
          if (final.state !== 'succeeded') {
            const failure = await handle.result().then(
              () => '',
              (err: Error & { cause?: Error }) => err.cause?.message ?? err.message,
            );
            console.error(`\npipeline ${final.state}${failure ? `:\n${failure}` : ''}`);
            process.exitCode = 1;
          } else {
            console.log(
              `\npipeline succeeded in ${(((final.endedAt ?? Date.now()) - final.startedAt) / 1000).toFixed(1)} s`,
            );
          }
        });
      },
    );
}
