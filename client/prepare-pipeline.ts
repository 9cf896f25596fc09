import { existsSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { ArtifactRef } from '../common/artifact.js';
import {
  PIPELINE_NEEDS,
  PipelineSpecError,
  stepSources,
  validatePipeline,
  type PipelineSpec,
} from '../common/pipeline-spec.js';
import type { InputSource } from '../common/step-spec.js';
import type { ArtifactStore } from '../lib/artifacts/artifact-store.js';
import { readSpecDocument, type SpecKind } from './spec-file.js';

const PIPELINE_FILE: SpecKind = { what: 'pipeline', needs: PIPELINE_NEEDS };

/** Reads a pipeline file (YAML or JSON); throws a PipelineSpecError naming the file when it holds no pipeline. */
export function readPipelineFile(path: string): Record<string, unknown> {
  const read = readSpecDocument(path, PIPELINE_FILE);
  if ('problem' in read) throw new PipelineSpecError([read.problem]);
  return read.raw;
}

export interface PreparePipelineOptions {
  /** Folder that relative paths in the spec are relative to (the pipeline file's folder). */
  baseDir: string;
  store: ArtifactStore;
  /**
   * Upload local files outside `baseDir` too (absolute paths, `..` out of it, links that lead
   * out). Off by default: a spec is code someone else may have written, and it must not pick
   * files off the machine it is started from. The CLI's flag is `--allow-outside-paths`.
   */
  allowPathsOutside?: boolean;
  /** Overrides of the spec's params: each must be declared by the spec. */
  params?: Record<string, unknown>;
}

type Raw = Record<string, unknown>;
type Location = (string | number)[];

/** A local file or folder a spec names, found (and checked) before anything is uploaded. */
interface LocalSource {
  /** Where in the raw spec the `{ path }` (or the build context string) is. */
  at: Location;
  /** The field as a person reads it: `step "train", field inputs.data`. */
  where: string;
  /** As written in the spec. */
  written: string;
  path: string;
  /** The artifact's name in the store. */
  name: string;
  /** A build context is a folder and is replaced by the ref itself; an input by `{ artifact }`. */
  kind: 'input' | 'context';
}

/** A pipeline that passed every check, with the local files it names still to upload. */
export interface PipelineUploadPlan {
  validated: PipelineSpec;
  /** How many local files and folders `upload` stores. */
  files: number;
  /** Uploads the local files and returns the spec with refs in their place. */
  upload(store: ArtifactStore): Promise<Raw>;
}

/**
 * Checks a pipeline spec without uploading anything: nested pipeline files are inlined,
 * everything is validated, and every local file (`{ path }` inputs of steps, checks, nested
 * pipelines and the pipeline itself, and `build.context` folders) is found and checked. Throws a
 * PipelineSpecError listing every problem.
 */
export function planPipeline(raw: unknown, opts: Omit<PreparePipelineOptions, 'store'>): PipelineUploadPlan {
  const baseDirs = new WeakMap<object, string>();
  const inlined = inlineNestedFiles(raw, opts.baseDir, baseDirs);
  const validated = validatePipeline(inlined);
  const sources: LocalSource[] = [];
  collectLocalSources(inlined as Raw, validated, opts.baseDir, baseDirs, [], '', sources);
  const problems = [
    ...Object.keys(opts.params ?? {})
      .filter((k) => !(k in validated.params))
      .map(
        (k) =>
          `param "${k}" is not declared by pipeline "${validated.name}" (it has: ${Object.keys(validated.params).join(', ') || 'none'})`,
      ),
    ...sources.flatMap((s) => checkSource(s, opts)),
  ];
  if (problems.length) throw new PipelineSpecError(problems);
  return {
    validated,
    files: sources.length,
    async upload(store) {
      const spec = structuredClone(inlined) as Raw;
      for (const source of sources) {
        const ref = await store.put(source.path, source.name);
        setAt(
          spec,
          source.at,
          source.kind === 'context' ? ref : ({ artifact: ref } satisfies { artifact: ArtifactRef }),
        );
      }
      return spec;
    },
  };
}

/**
 * Gets a pipeline spec ready to start: everything is checked first (planPipeline), and only then
 * is anything uploaded, so a refused spec leaves nothing behind. The workflow only ever sees refs.
 * Throws a PipelineSpecError listing every problem.
 */
export async function preparePipeline(
  raw: unknown,
  opts: PreparePipelineOptions,
): Promise<{ spec: unknown; validated: PipelineSpec }> {
  const plan = planPipeline(raw, opts);
  return { spec: await plan.upload(opts.store), validated: plan.validated };
}

/** Replaces `pipeline: "./other.yaml"` with the parsed file, recursively, each relative to its own file. */
function inlineNestedFiles(raw: unknown, baseDir: string, baseDirs: WeakMap<object, string>): unknown {
  const problems: string[] = [];
  const inline = (node: unknown, dir: string, seen: string[], where: string): unknown => {
    if (!node || typeof node !== 'object' || !Array.isArray((node as Raw).steps)) return node;
    const steps = ((node as Raw).steps as unknown[]).map((step) => {
      if (!step || typeof step !== 'object') return step;
      const s = step as Raw;
      const label = `${where}step "${String(s.name)}", field pipeline`;
      if (s.pipeline && typeof s.pipeline === 'object')
        return { ...s, pipeline: inline(s.pipeline, dir, seen, `${where}step "${String(s.name)}" > `) };
      if (typeof s.pipeline !== 'string') return step;
      const file = resolve(dir, s.pipeline);
      if (seen.includes(file)) {
        problems.push(`${label}: ${s.pipeline} includes itself`);
        return step;
      }
      const read = readSpecDocument(file, PIPELINE_FILE);
      if ('problem' in read) {
        problems.push(`${label}: ${read.problem}`);
        return step;
      }
      const child = read.raw;
      const inlinedChild = inline(child, dirname(file), [...seen, file], `${where}step "${String(s.name)}" > `);
      if (inlinedChild && typeof inlinedChild === 'object') baseDirs.set(inlinedChild, dirname(file));
      return { ...s, pipeline: inlinedChild };
    });
    return { ...(node as Raw), steps };
  };
  const result = inline(raw, baseDir, [], '');
  if (problems.length) throw new PipelineSpecError(problems);
  return result;
}

const isPath = (src: InputSource): src is { path: string } => typeof src === 'object' && 'path' in src;

/** Every local file of a validated pipeline and of the pipelines nested in it, with where it is in the raw spec. */
function collectLocalSources(
  raw: Raw,
  spec: PipelineSpec,
  baseDir: string,
  baseDirs: WeakMap<object, string>,
  at: Location,
  where: string,
  out: LocalSource[],
): void {
  const add = (loc: Location, field: string, written: string, name: string, kind: LocalSource['kind']) =>
    out.push({ at: [...at, ...loc], where: `${where}${field}`, written, path: resolve(baseDir, written), name, kind });
  for (const [name, src] of Object.entries(spec.inputs)) {
    if (isPath(src)) add(['inputs', name], `pipeline, field inputs.${name}`, src.path, name, 'input');
  }
  spec.steps.forEach((step, i) => {
    const label = `step "${step.name}", field `;
    for (const [field, src] of stepSources(step)) {
      if (isPath(src))
        add(['steps', i, ...field.split('.')], `${label}${field}`, src.path, field.split('.').at(-1)!, 'input');
    }
    if (step.kind === 'container' && typeof step.build?.context === 'string') {
      add(
        ['steps', i, 'build', 'context'],
        `${label}build.context`,
        step.build.context,
        `${step.name}-context`,
        'context',
      );
    }
    if (step.kind === 'pipeline') {
      const rawChild = ((raw.steps as Raw[])[i]!.pipeline ?? {}) as Raw;
      collectLocalSources(
        rawChild,
        step.pipeline,
        baseDirs.get(rawChild) ?? baseDir,
        baseDirs,
        [...at, 'steps', i, 'pipeline'],
        `${where}step "${step.name}" > `,
        out,
      );
    }
  });
}

/** Why a local source cannot be uploaded: missing, of the wrong kind, or outside the pipeline's folder. */
function checkSource(source: LocalSource, opts: Omit<PreparePipelineOptions, 'store'>): string[] {
  if (!existsSync(source.path))
    return [`${source.where}: ${source.written} does not exist (looked for ${source.path})`];
  if (source.kind === 'context' && !statSync(source.path).isDirectory())
    return [`${source.where}: ${source.written} is not a folder; a build context is a folder with a Dockerfile`];
  if (opts.allowPathsOutside) return [];
  // Real paths, so that a link inside the folder cannot lead out of it either.
  const root = realpathSync(opts.baseDir);
  const real = realpathSync(source.path);
  const rel = relative(root, real);
  if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return [];
  return [
    `${source.where}: ${source.written} is outside the pipeline's folder ${root}; local files must be inside it. ` +
      'If you trust this spec, pass --allow-outside-paths to `tidemark run` (allowPathsOutside: true in startPipeline).',
  ];
}

function setAt(target: Raw, at: Location, value: unknown): void {
  let node: Record<string | number, unknown> = target;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at.at(-1)!] = value;
}
