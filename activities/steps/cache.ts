import { createHash } from 'node:crypto';
import type { ArtifactRef } from '../../common/artifact.js';
import type { RunStepInput } from '../../common/step-run.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';

/** What a cache hit restores: the outputs and metrics of the run that produced them. */
export interface CacheEntry {
  outputs: Record<string, ArtifactRef>;
  metrics: Record<string, number>;
  log?: ArtifactRef;
  producedBy: { workflowId: string; runId: string; stepKey: string };
}

/** Sorts object keys recursively so equal values always serialize the same. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/**
 * The cache key of a step: the image digest, command, args, non-secret env, params, input hashes,
 * output names and paths, and the cache version. Secrets (secretEnv) never count: changing a
 * password must not invalidate results, and its value must not be hashed into a visible key.
 */
export function cacheKey(input: RunStepInput, imageDigest: string): string {
  const inputs = Object.fromEntries(
    Object.entries(input.inputs).map(([k, v]) => [k, Array.isArray(v) ? v.map((r) => r.sha256) : v.sha256]),
  );
  const material = canonical({
    imageDigest,
    command: input.command ?? null,
    args: input.args ?? null,
    env: input.env,
    params: input.params,
    inputs,
    outputs: input.outputs,
    version: input.cache.version,
    // A step run as root may write what one run as nobody cannot: another result. (Absent when
    // false, so the keys of steps cached before the sandbox stay the same.)
    ...(input.runAsRoot ? { runAsRoot: true } : {}),
  });
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/** A usable cache entry: one exists and every output it names is still in the store. */
export async function lookupCache(store: ArtifactStore, key: string): Promise<CacheEntry | undefined> {
  const entry = await store.readIndex<CacheEntry>(`cache/${key}.json`);
  if (!entry) return undefined;
  const present = await Promise.all(Object.values(entry.outputs).map((ref) => store.exists(ref)));
  return present.every(Boolean) ? entry : undefined;
}

export async function writeCache(store: ArtifactStore, key: string, entry: CacheEntry): Promise<void> {
  await store.writeIndex(`cache/${key}.json`, entry);
}
