import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';
import { PipelineSpecError, validatePipeline, type PipelineSpec } from '../common/pipeline-spec.js';
import type { ArtifactStore } from '../lib/artifacts/artifact-store.js';

/** Reads a pipeline file (YAML or JSON). */
export function readPipelineFile(path: string): unknown {
  if (!existsSync(path)) throw new PipelineSpecError([`pipeline file ${path} does not exist`]);
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new PipelineSpecError([`${path} is not valid YAML: ${(err as Error).message}`]);
  }
}

type Raw = Record<string, unknown>;

/** Replaces `pipeline: "./other.yaml"` with the parsed file, recursively, relative to each file. */
function inlineNested(raw: unknown, baseDir: string, problems: string[], seen: string[] = []): unknown {
  if (!raw || typeof raw !== 'object' || !Array.isArray((raw as Raw).steps)) return raw;
  const steps = ((raw as Raw).steps as Raw[]).map((step) => {
    if (!step || typeof step !== 'object' || typeof step.pipeline !== 'string') return step;
    const file = resolve(baseDir, step.pipeline);
    if (seen.includes(file)) {
      problems.push(`step "${String(step.name)}", field pipeline: ${step.pipeline} includes itself`);
      return step;
    }
    if (!existsSync(file)) {
      problems.push(`step "${String(step.name)}", field pipeline: file ${file} does not exist`);
      return step;
    }
    return {
      ...step,
      pipeline: inlineNested(parse(readFileSync(file, 'utf8')), dirname(file), problems, [...seen, file]),
      __baseDir: dirname(file),
    };
  });
  return { ...(raw as Raw), steps };
}

/**
 * Gets a pipeline spec ready to start: nested pipeline files inlined, everything validated, and
 * local files (`{ path }` inputs, `build.context` folders) uploaded to the store as refs, so
 * that the workflow only ever sees refs. Throws a PipelineSpecError listing every problem
 * before anything starts.
 */
export async function preparePipeline(
  raw: unknown,
  opts: { baseDir: string; store: ArtifactStore },
): Promise<{ spec: unknown; validated: PipelineSpec }> {
  const problems: string[] = [];
  const inlined = inlineNested(raw, opts.baseDir, problems);
  if (problems.length) throw new PipelineSpecError(problems);
  const validated = validatePipeline(stripPrivate(inlined));

  const missing: string[] = [];
  const upload = async (node: unknown, baseDir: string, where: string): Promise<unknown> => {
    if (!node || typeof node !== 'object' || !Array.isArray((node as Raw).steps)) return node;
    const out: Raw = { ...(node as Raw) };
    out.inputs = await uploadSources(
      (node as Raw).inputs as Raw | undefined,
      baseDir,
      `${where}pipeline, field inputs`,
      opts.store,
      missing,
    );
    out.steps = [];
    for (const step of (node as Raw).steps as Raw[]) {
      const s: Raw = { ...step };
      const label = `${where}step "${String(step.name)}"`;
      const dir = typeof step.__baseDir === 'string' ? step.__baseDir : baseDir;
      delete s.__baseDir;
      if (s.inputs)
        s.inputs = await uploadSources(s.inputs as Raw, baseDir, `${label}, field inputs`, opts.store, missing);
      if (s.check && typeof s.check === 'object')
        s.check = await uploadSources(s.check as Raw, baseDir, `${label}, field check`, opts.store, missing);
      const build = s.build as Raw | undefined;
      if (build && typeof build.context === 'string') {
        const context = isAbsolute(build.context) ? build.context : resolve(baseDir, build.context);
        if (!existsSync(context) || !statSync(context).isDirectory())
          missing.push(`${label}, field build.context: folder ${context} does not exist`);
        else s.build = { ...build, context: await opts.store.put(context, `${String(step.name)}-context`) };
      }
      if (s.pipeline && typeof s.pipeline === 'object') s.pipeline = await upload(s.pipeline, dir, `${label} > `);
      (out.steps as Raw[]).push(s);
    }
    return out;
  };
  const spec = await upload(inlined, opts.baseDir, '');
  if (missing.length) throw new PipelineSpecError(missing);
  return { spec, validated };
}

async function uploadSources(
  sources: Raw | undefined,
  baseDir: string,
  where: string,
  store: ArtifactStore,
  missing: string[],
): Promise<Raw | undefined> {
  if (!sources) return sources;
  const out: Raw = {};
  for (const [name, src] of Object.entries(sources)) {
    if (src && typeof src === 'object' && typeof (src as Raw).path === 'string') {
      const path = resolve(baseDir, (src as Raw).path as string);
      if (!existsSync(path)) missing.push(`${where}.${name}: ${path} does not exist`);
      else out[name] = { artifact: await store.put(path, name) };
    } else {
      out[name] = src;
    }
  }
  return out;
}

function stripPrivate(raw: unknown): unknown {
  if (Array.isArray(raw)) return raw.map(stripPrivate);
  if (raw && typeof raw === 'object')
    return Object.fromEntries(
      Object.entries(raw)
        .filter(([k]) => k !== '__baseDir')
        .map(([k, v]) => [k, stripPrivate(v)]),
    );
  return raw;
}
