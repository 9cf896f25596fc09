import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeComposeExport } from '../export/compose-file.js';
import { planCompose } from '../export/plan.js';
import { loadPipelineFile } from '../graph/load-spec.js';
import { collect, parseParams } from '../params.js';

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
    .action(async (file: string, opts: { out: string; param: string[] }) => {
      const out = resolve(opts.out);
      const loaded = loadPipelineFile(file);
      const plan = planCompose(loaded, { composeDir: dirname(out), params: parseParams(opts.param) });
      const [compose, ...params] = await writeComposeExport(plan, out, loaded.spec.name);
      console.log(`${compose}: ${plan.services.length} service${plan.services.length === 1 ? '' : 's'}`);
      for (const p of params) console.log(`  ${p}`);
      for (const note of plan.notes) console.log(`  note: ${note}`);
    });
}
