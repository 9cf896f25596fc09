import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import type { BuildImageInput, BuildImageResult } from '../../common/step-run.js';
import type { TidemarkDeps } from '../deps.js';
import { ImageBuildError } from '../errors.js';

/**
 * Builds a step's image from its context folder (a path on the worker, or a stored `dir`
 * artifact). The tag is a hash of the context's content; when it exists, nothing is built.
 */
export async function buildImageActivity(deps: TidemarkDeps, input: BuildImageInput): Promise<BuildImageResult> {
  const ctx = Context.current();
  const tail: string[] = [];
  const beat = () => ctx.heartbeat({ phase: 'building', lastLines: tail.slice(-20) });
  const timer = setInterval(beat, 2000);
  let context: string;
  let cleanup: () => Promise<void> = async () => undefined;
  if (typeof input.context === 'string') {
    context = input.context;
  } else {
    context = join(deps.workDir, 'contexts', input.context.sha256);
    if (input.context.kind !== 'dir')
      throw new ImageBuildError(`build context "${input.context.name}" must be a folder`, '');
    await deps.store.get(input.context, context);
    cleanup = () => rm(context, { recursive: true, force: true });
  }
  try {
    const slug =
      input.stepKey
        .toLowerCase()
        .replace(/\[\d+\]$/, '')
        .replace(/[^a-z0-9_.-]+/g, '-')
        .replace(/^[^a-z0-9]+/, '') || 'step';
    return await deps.containers.build(
      {
        context,
        dockerfile: input.dockerfile,
        args: input.args,
        network: input.network,
        repository: `tidemark-step/${slug}`,
      },
      (line) => {
        tail.push(line);
        if (tail.length > 100) tail.splice(0, 50);
      },
    );
  } finally {
    clearInterval(timer);
    await cleanup();
  }
}
