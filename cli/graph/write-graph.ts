import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { toMermaid } from './mermaid.js';
import type { PipelineGraph } from './model.js';
import { toSvg } from './svg.js';

/** Writes `<prefix>.mmd` and `<prefix>.svg`, creating the folder if needed; returns the two paths. */
export async function writeGraphFiles(graph: PipelineGraph, prefix: string): Promise<{ mermaid: string; svg: string }> {
  const base = resolve(prefix);
  await mkdir(dirname(base), { recursive: true });
  const paths = { mermaid: `${base}.mmd`, svg: `${base}.svg` };
  await writeFile(paths.mermaid, toMermaid(graph));
  await writeFile(paths.svg, toSvg(graph));
  return paths;
}
