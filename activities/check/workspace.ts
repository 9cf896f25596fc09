import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactRefSchema, type ArtifactRef } from '../../common/artifact.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';

/** A temporary folder under the worker's workDir for one fit or check, removed afterwards. */
export async function withWorkspace<T>(workDir: string, label: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = join(workDir, 'checks', `${label}-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Downloads an artifact into the workspace; returns its local path (a folder for `dir` artifacts). */
export async function download(store: ArtifactStore, ref: ArtifactRef, dir: string, as: string): Promise<string> {
  const dest = join(dir, as);
  await store.get(ref, dest);
  return dest;
}

/** The config with every ArtifactRef in it (a model, a vocabulary, …) downloaded and replaced by its local path. */
export async function materializeConfig(store: ArtifactStore, config: unknown, dir: string): Promise<unknown> {
  let n = 0;
  const walk = async (value: unknown): Promise<unknown> => {
    if (Array.isArray(value)) return Promise.all(value.map(walk));
    if (typeof value !== 'object' || value === null) return value;
    const ref = ArtifactRefSchema.safeParse(value);
    if (ref.success) return download(store, ref.data, dir, `config-${n++}-${ref.data.name.replace(/[^\w.-]+/g, '_')}`);
    return Object.fromEntries(
      await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await walk(v)] as const)),
    );
  };
  return walk(config ?? {});
}
