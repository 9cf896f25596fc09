import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactRefSchema, type ArtifactRef } from '../../common/artifact.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';

/**
 * A temporary folder under the worker's workDir for one fit or check, removed afterwards. It
 * remembers what each downloaded file is to the user (`batch "sales.csv" of step "drift"`), and
 * an error thrown inside it names those instead of the worker's temporary paths.
 */
export interface Workspace {
  dir: string;
  /** Local path → how the user knows it. */
  labels: Map<string, string>;
  /** The step the check runs for, when it runs in a pipeline or monitor. */
  step?: string;
}

/** How a user knows an input: its role, its original file name, and the step. */
export function inputLabel(role: string, ref: ArtifactRef, step?: string): string {
  return `${role} "${ref.name}"${step ? ` of step "${step}"` : ''}`;
}

/** The message with every workspace path replaced by its label (or by a neutral word). */
export function scrubPaths(message: string, ws: Pick<Workspace, 'dir' | 'labels'>): string {
  let out = message;
  // Longest first, so that a file inside a labelled folder keeps its own label.
  for (const [path, label] of [...ws.labels].sort((a, b) => b[0].length - a[0].length))
    out = out.split(path).join(label);
  return out.split(ws.dir).join('(the check folder)');
}

export async function withWorkspace<T>(
  workDir: string,
  label: string,
  fn: (ws: Workspace) => Promise<T>,
  step?: string,
): Promise<T> {
  const dir = join(workDir, 'checks', `${label}-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { recursive: true });
  const ws: Workspace = { dir, labels: new Map(), step };
  try {
    return await fn(ws);
  } catch (err) {
    if (err instanceof Error) {
      err.message = scrubPaths(err.message, ws);
      if (err.stack) err.stack = scrubPaths(err.stack, ws);
    }
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Downloads an artifact into the workspace as `as`; returns its local path (a folder for `dir` artifacts). */
export async function download(
  store: ArtifactStore,
  ref: ArtifactRef,
  ws: Workspace,
  as: string,
  role: string = as,
): Promise<string> {
  const dest = join(ws.dir, as);
  ws.labels.set(dest, inputLabel(role, ref, ws.step));
  await store.get(ref, dest);
  return dest;
}

/** The config with every ArtifactRef in it (a model, a vocabulary, …) downloaded and replaced by its local path. */
export async function materializeConfig(store: ArtifactStore, config: unknown, ws: Workspace): Promise<unknown> {
  let n = 0;
  const walk = async (value: unknown, key: string): Promise<unknown> => {
    if (Array.isArray(value)) return Promise.all(value.map((v, i) => walk(v, `${key}[${i}]`)));
    if (typeof value !== 'object' || value === null) return value;
    const ref = ArtifactRefSchema.safeParse(value);
    if (ref.success)
      return download(
        store,
        ref.data,
        ws,
        `config-${n++}-${ref.data.name.replace(/[^\w.-]+/g, '_')}`,
        `check input ${key || 'config'}`,
      );
    return Object.fromEntries(
      await Promise.all(
        Object.entries(value).map(async ([k, v]) => [k, await walk(v, key ? `${key}.${k}` : k)] as const),
      ),
    );
  };
  return walk(config ?? {}, '');
}
