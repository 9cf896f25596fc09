import type { Command } from 'commander';

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
      (await import('../actions/graph.js')).graphCommand(target, opts),
    );
}
