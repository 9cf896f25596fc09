import { existsSync, statSync } from 'node:fs';
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

/** `tidemark graph`: writes the Mermaid and SVG files of a pipeline file or a workflow. */
export async function graphCommand(target: string, opts: { out?: string }): Promise<void> {
  const { graph, prefix } = await readGraph(target);
  const written = await writeGraphFiles(graph, opts.out ?? prefix);
  console.log(`${written.mermaid}\n${written.svg}`);
}
