import { dirname, resolve } from 'node:path';
import { PipelineSpecError, validatePipeline, type PipelineSpec } from '../../common/pipeline-spec.js';
import { readPipelineFile } from '../../client/prepare-pipeline.js';

/** A validated pipeline read from a file, nested `pipeline: ./other.yaml` files included. */
export interface LoadedPipeline {
  file: string;
  spec: PipelineSpec;
  /**
   * The folder that relative paths inside each pipeline are read from, keyed by the path of
   * nested step names (`''` for the file itself, `train/fit` for step fit's pipeline in train's).
   */
  baseDirs: Map<string, string>;
}

/** Reads, inlines and validates a pipeline file without uploading anything; throws a PipelineSpecError. */
export function loadPipelineFile(file: string): LoadedPipeline {
  const path = resolve(file);
  const baseDirs = new Map([['', dirname(path)]]);
  const inline = (raw: unknown, dir: string, at: string, files: string[]): unknown => {
    const steps = (raw as { steps?: unknown } | null)?.steps;
    if (!Array.isArray(steps)) return raw;
    const inlined = steps.map((step: unknown) => {
      if (!step || typeof step !== 'object' || !('pipeline' in step)) return step;
      const key = `${at}${at ? '/' : ''}${String((step as { name?: unknown }).name)}`;
      let child = step.pipeline;
      let childDir = dir;
      let chain = files;
      if (typeof child === 'string') {
        const childFile = resolve(dir, child);
        if (files.includes(childFile))
          throw new PipelineSpecError([`step "${key}", field pipeline: ${child} includes itself`]);
        child = readPipelineFile(childFile);
        childDir = dirname(childFile);
        chain = [...files, childFile];
      }
      baseDirs.set(key, childDir);
      return { ...step, pipeline: inline(child, childDir, key, chain) };
    });
    return { ...(raw as object), steps: inlined };
  };
  const spec = validatePipeline(inline(readPipelineFile(path), dirname(path), '', [path]));
  return { file: path, spec, baseDirs };
}
