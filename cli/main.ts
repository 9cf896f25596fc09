#!/usr/bin/env node
import { Command } from 'commander';
import type { RunOptions } from './commands/run.js';
import type { StatusOptions } from './commands/inspect.js';
import type { ExportComposeOptions } from './commands/export-compose.js';
import type { ServeDeployOptions, ServeUpdate } from './commands/serve.js';
import { isProcessEntry } from '../lib/modules/sibling-module.js';
import { collect } from './options.js';

/**
 * The `tidemark` command. Only the commands' definitions live here; each command's module
 * (cli/commands/) is imported when the command runs, so `tidemark --help` loads commander alone.
 */

export function registerRun(program: Command): void {
  program
    .command('run <pipeline>')
    .description('validate a pipeline (YAML or JSON), upload its local files, and start it')
    .option('-p, --param <key=value>', 'override a param (repeatable)', collect, [])
    .option('--id <workflowId>', 'workflow id (default: <name>-<random>)')
    .option('-w, --wait', 'follow the pipeline until it ends, a live line per step')
    .option('--allow-outside-paths', "upload local files the spec names outside the pipeline file's folder")
    .action(async (file: string, opts: RunOptions) =>
      (await import('./commands/run.js')).runPipelineCommand(file, opts),
    );
}

export function registerInspect(program: Command): void {
  program
    .command('status <workflowId>')
    .description("show every step's state, duration and outputs")
    .option('--json', 'print the status as JSON')
    .option('--items <state>', "list a map's items in this state (failed, succeeded, cached, running, …)")
    .option('--limit <n>', 'with --items: how many to list', '50')
    .option('--offset <n>', 'with --items: how many to skip first', '0')
    .action(async (id: string, opts: StatusOptions) => (await import('./commands/inspect.js')).statusCommand(id, opts));

  program
    .command('logs <workflowId> <step>')
    .description("print a step's log; --follow streams it while the step runs")
    .option('-f, --follow', 'keep printing new lines until the step ends')
    .action(async (id: string, step: string, opts: { follow?: boolean }) =>
      (await import('./commands/inspect.js')).logsCommand(id, step, opts),
    );

  program
    .command('retry <workflowId>')
    .description(
      'start a finished pipeline again with its spec, params and inputs: steps and map items that succeeded are cache hits',
    )
    .option('--id <workflowId>', 'workflow id of the new run (default: <workflowId>-retry-<random>)')
    .option('-w, --wait', 'follow the new run until it ends')
    .action(async (id: string, opts: { id?: string; wait?: boolean }) =>
      (await import('./commands/run.js')).retryPipelineCommand(id, opts),
    );

  program
    .command('cancel <workflowId>')
    .description('cancel a pipeline: running containers are stopped and removed')
    .action(async (id: string) => (await import('./commands/inspect.js')).cancelCommand(id));
}

export function registerGraph(program: Command): void {
  program
    .command('graph <target>')
    .description(
      'draw a pipeline as Mermaid (.mmd) and SVG: a pipeline file (every step pending), or a workflow id (steps coloured by state)',
    )
    .option(
      '-o, --out <prefix>',
      'path of the files without extension (default: the pipeline name, or the workflow id)',
    )
    .action(async (target: string, opts: { out?: string }) =>
      (await import('./commands/graph.js')).graphCommand(target, opts),
    );
}

export function registerLabel(program: Command): void {
  const label = program
    .command('label')
    .description('human-in-the-loop labeling sessions: start one, see what is pending, send labels');

  label
    .command('start <session>')
    .description('validate a labeling session spec (YAML or JSON), upload its local files, and start it')
    .option('--id <workflowId>', 'workflow id (default: <name>-labeling-<random>)')
    .action(async (file: string, opts: { id?: string }) =>
      (await import('./commands/label.js')).labelStartCommand(file, opts),
    );

  label
    .command('pending <workflowId>')
    .description('show the samples still to label: a table for tabular data, preview URLs for images')
    .option('--json', 'print the pending batch as JSON')
    .action(async (id: string, opts: { json?: boolean }) =>
      (await import('./commands/label.js')).labelPendingCommand(id, opts),
    );

  label
    .command('submit <workflowId>')
    .description('send labels from a file through the validated update, and print what was accepted and rejected')
    .requiredOption(
      '-f, --file <labels>',
      'labels.csv (columns id,label) or labels.json ({ "labels": { "<id>": "<label>" } }); a large file is sent in several updates',
    )
    .option('--labeler <name>', 'who labeled (recorded in the ledger)')
    .option('--overwrite', 'replace labels already given in this round')
    .action(async (id: string, opts: { file: string; labeler?: string; overwrite?: boolean }) =>
      (await import('./commands/label.js')).labelSubmitCommand(id, opts),
    );

  label
    .command('interactive <workflowId>')
    .description('label the pending samples one at a time in the terminal; each answer is sent at once')
    .option('--labeler <name>', 'who labels (recorded in the ledger)', process.env.USER)
    .action(async (id: string, opts: { labeler?: string }) =>
      (await import('./commands/label.js')).labelInteractiveCommand(id, opts),
    );
}

/** `tidemark export compose`: adds the `export` command group if no other export registered it. */
export function registerExportCompose(program: Command): void {
  const exportGroup =
    program.commands.find((c) => c.name() === 'export') ??
    program.command('export').description('save a pipeline in another format');
  exportGroup
    .command('compose <pipeline>')
    .description(
      "write a docker-compose file that runs the pipeline's container steps in dependency order, without Temporal",
    )
    .option(
      '-o, --out <file>',
      'the compose file; runs/<service>/ folders are written beside it',
      'docker-compose.pipeline.yml',
    )
    .option('-p, --param <key=value>', 'override a param (repeatable)', collect, [])
    .action(async (file: string, opts: ExportComposeOptions) =>
      (await import('./commands/export-compose.js')).exportComposeCommand(file, opts),
    );
}

export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('serve registered models behind a proxy; roll new versions out by canary');
  const actions = () => import('./commands/serve.js');

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
    .action(async (ref: string, opts: ServeDeployOptions) => (await actions()).serveDeployCommand(ref, opts));

  serve
    .command('status <model>')
    .description('versions, weights, gate readings and recent decisions')
    .option('--json', 'print the whole status as JSON')
    .action(async (model: string, opts: { json?: boolean }) => (await actions()).serveStatusCommand(model, opts));

  const updates: [ServeUpdate, string][] = [
    ['promote', 'skip the remaining canary steps: the canary takes all traffic'],
    ['rollback', 'send all traffic back to the stable version and remove the canary'],
    ['pause', 'hold the rollout at its current weight'],
    ['resume', 'go on with a paused rollout'],
    ['stop', 'stop every model server and the proxy of the deployment'],
  ];
  for (const [name, description] of updates)
    serve
      .command(`${name} <model>`)
      .description(description)
      .option('--reason <text>', 'recorded with the decision (rollback)')
      .action(async (model: string, opts: { reason?: string }) =>
        (await actions()).serveUpdateCommand(name, model, opts),
      );

  serve
    .command('predict <model>')
    .description('send rows to the deployment (through its proxy) and print the predictions')
    .requiredOption('-f, --file <rows.csv>', 'a CSV with a header of feature names')
    .option('--drop <columns>', 'columns of the CSV not to send, e.g. label')
    .action(async (model: string, opts: { file: string; drop?: string }) =>
      (await actions()).servePredictCommand(model, opts),
    );
}

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('serve the Tidemark console (pipelines, labeling, checks, metrics) on loopback until Ctrl-C')
    .option('--address <host:port>', 'where to listen (default TIDEMARK_CONSOLE_ADDRESS, else 127.0.0.1:8300)')
    .action(async (opts: { address?: string }) => (await import('./commands/console.js')).consoleCommand(opts));
}

export function registerSmoke(program: Command): void {
  program
    .command('smoke')
    .description('run the smoke workflow: one busybox container, its stdout in MinIO, one MLflow run')
    .option('-m, --message <text>', 'what the container echoes', 'hello from tidemark')
    .option('--id <workflowId>', 'workflow id (default: smoke-<time>)')
    .action(async (opts: { message: string; id?: string }) => (await import('./commands/smoke.js')).smokeCommand(opts));
}

/** The `tidemark` program with every command defined. */
export function createProgram(): Command {
  const program = new Command('tidemark')
    .description('Durable machine-learning workflows on Temporal')
    .showHelpAfterError();
  registerRun(program);
  registerInspect(program);
  registerGraph(program);
  registerLabel(program);
  registerServe(program);
  registerExportCompose(program);
  registerConsole(program);
  registerSmoke(program);
  return program;
}

if (isProcessEntry(import.meta.url)) {
  createProgram()
    .parseAsync()
    .catch((err: unknown) => {
      console.error(`tidemark: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    });
}
