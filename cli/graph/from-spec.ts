import { dependencies, type PipelineSpec, type PipelineStep } from '../../common/pipeline-spec.js';
import { incomingEdges } from './edges.js';
import type { GraphNode, PipelineGraph } from './model.js';

function detailOf(step: PipelineStep): string {
  if (step.kind === 'check') return `check ${step.check.plugin}`;
  if (step.kind === 'pipeline') return `pipeline ${step.pipeline.name}`;
  if (step.image) return step.image;
  return `build ${typeof step.build?.context === 'string' ? step.build.context : 'from a stored context'}`;
}

function mapOf(step: PipelineStep, params: Record<string, unknown>): string | undefined {
  if (!step.map) return undefined;
  const { over } = step.map;
  if (Array.isArray(over)) return `over ${over.length} items`;
  const list = params[over.slice('${params.'.length, -1)];
  return `over ${over}${Array.isArray(list) ? ` (${list.length} items)` : ''}`;
}

/** The graph of a validated pipeline spec, nested pipelines as subgraphs, every step pending. */
export function graphFromSpec(spec: PipelineSpec, prefix = ''): PipelineGraph {
  const id = (step: string) => `${prefix}${step}`;
  const graph: PipelineGraph = { name: spec.name, nodes: [], edges: [] };
  for (const step of spec.steps) {
    const { edges, note } = incomingEdges(id, step.name, dependencies(step), step.when);
    const node: GraphNode = {
      id: id(step.name),
      name: step.name,
      kind: step.kind,
      detail: detailOf(step),
      state: 'pending',
    };
    const map = mapOf(step, spec.params);
    if (map) node.map = map;
    if (note) node.when = note;
    if (step.kind === 'pipeline') node.children = graphFromSpec(step.pipeline, `${id(step.name)}__`);
    graph.nodes.push(node);
    graph.edges.push(...edges);
  }
  return graph;
}
