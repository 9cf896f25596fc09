import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { withClient } from '../context.js';
import { graphFromSpec } from '../graph/from-spec.js';
import { graphFromWorkflow, NotAPipelineWorkflowError } from '../graph/from-workflow.js';
import { loadPipelineFile } from '../graph/load-spec.js';
import type { PipelineGraph } from '../graph/model.js';
import { writeGraphFiles } from '../graph/write-graph.js';

/** The graph of a pipeline file, or else of a workflow, and the default path of its files (the pipeline name, or the workflow id). */
async function readGraph(target: string): Promise<{ graph: PipelineGraph; prefix: string }> {
  if (existsSync(target) && statSync(target).isFile()) {
    const graph = graphFromSpec(loadPipelineFile(target).spec);
    return { graph, prefix: graph.name };
  }
  if (/\.(ya?ml|json)$/i.test(target)) throw new Error(`pipeline file ${target} does not exist`);
  try {
    return {
      graph: await withClient((client) => graphFromWorkflow(client, target)),
      prefix: target.replace(/[^\w.-]/g, '_'),
    };
  } catch (err) {
    if (err instanceof NotAPipelineWorkflowError)
      throw new Error(`"${target}" is neither a pipeline file nor a pipeline workflow: ${err.message}`, { cause: err });
    throw err;
  }
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
    .action(async (target: string, opts: { out?: string }) => {
      const { graph, prefix } = await readGraph(target);
      const written = await writeGraphFiles(graph, opts.out ?? prefix);
      console.log(`${written.mermaid}\n${written.svg}`);
    });
}
