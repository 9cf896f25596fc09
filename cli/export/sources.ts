import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { sourceRef } from '../../common/pipeline-spec.js';
import type { InputSource } from '../../common/step-spec.js';

/**
 * Where an input's bytes are on the host, as paths relative to the compose file, and the
 * services that write them. A `list` (the outputs of a mapped step) is bound item by item at
 * `/inputs/<name>/<index>`, as the worker lays it out.
 */
export interface HostSource {
  paths: string[];
  list: boolean;
  writers: string[];
}

/** What a step left for the steps after it: its services and outputs, or why it does not run. */
export type StepOutcome = { services: string[]; outputs: Record<string, HostSource> } | { skipped: string };

/** What a source is resolved against: the pipeline's inputs, the steps before it, and the folders paths are read from. */
export interface SourceScope {
  inputs: Record<string, HostSource | undefined>;
  outcomes: Map<string, StepOutcome>;
  /** The folder relative `{ path }` sources are read from. */
  baseDir: string;
  /** The folder of the compose file, which every host path is written relative to. */
  composeDir: string;
}

/** A host path as a compose file writes it: `./x` or `../x` relative to the file, or absolute elsewhere. */
export function hostPath(composeDir: string, absolute: string): string {
  const rel = relative(composeDir, absolute);
  if (isAbsolute(rel)) return rel;
  return rel.startsWith('..') ? rel : `./${rel}`;
}

/**
 * The host files of one input source. Returns undefined when the source is not produced (its
 * step is skipped) and pushes a problem for sources compose cannot read.
 */
export function resolveSource(
  source: InputSource,
  where: string,
  scope: SourceScope,
  problems: string[],
): HostSource | undefined {
  if (typeof source === 'object' && 'path' in source) {
    const file = resolve(scope.baseDir, source.path);
    if (!existsSync(file)) problems.push(`${where}: ${file} does not exist`);
    return { paths: [hostPath(scope.composeDir, file)], list: false, writers: [] };
  }
  if (typeof source === 'object' && ('artifact' in source || 'artifacts' in source)) {
    const refs = 'artifact' in source ? [source.artifact] : source.artifacts;
    const local = refs.map((a) => `./${a.name}`).join(', ');
    problems.push(
      `${where}: ${refs.map((a) => a.uri).join(', ')} lives in the Tidemark artifact store (MinIO), which a compose file cannot read; download it (e.g. with \`mc cp\` or the MinIO console) next to the pipeline file and write the input as { path: ${local} }`,
    );
    return undefined;
  }
  const ref = sourceRef(source)!;
  if ('input' in ref) return scope.inputs[ref.input];
  const outcome = scope.outcomes.get(ref.step);
  return outcome && 'outputs' in outcome ? outcome.outputs[ref.output] : undefined;
}

/** Item outputs of a mapped step, joined into lists. */
export function joinItems(items: { services: string[]; outputs: Record<string, HostSource> }[]): StepOutcome {
  const outputs: Record<string, HostSource> = {};
  for (const item of items) {
    for (const [name, src] of Object.entries(item.outputs)) {
      const joined = outputs[name] ?? { paths: [], list: true, writers: [] };
      outputs[name] = {
        paths: [...joined.paths, ...src.paths],
        list: true,
        writers: [...joined.writers, ...src.writers],
      };
    }
  }
  return { services: items.flatMap((i) => i.services), outputs };
}
