import type { Command } from 'commander';
import type { RunOptions } from '../actions/run.js';
import { collect } from '../options.js';

export function registerRun(program: Command): void {
  program
    .command('run <pipeline>')
    .description('validate a pipeline (YAML or JSON), upload its local files, and start it')
    .option('-p, --param <key=value>', 'override a param (repeatable)', collect, [])
    .option('--id <workflowId>', 'workflow id (default: <name>-<random>)')
    .option('-w, --wait', 'follow the pipeline until it ends, a live line per step')
    .option('--allow-outside-paths', "upload local files the spec names outside the pipeline file's folder")
    .action(async (file: string, opts: RunOptions) =>
      (await import('../actions/run.js')).runPipelineCommand(file, opts),
    );
}
