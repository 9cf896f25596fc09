import type { Command } from 'commander';
import type { ExportComposeOptions } from '../actions/export-compose.js';
import { collect } from '../options.js';

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
      (await import('../actions/export-compose.js')).exportComposeCommand(file, opts),
    );
}
