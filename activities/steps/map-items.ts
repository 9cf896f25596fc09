import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { parse } from 'csv-parse/sync';
import type { ArtifactRef } from '../../common/artifact.js';
import { ENV } from '../../common/env.js';
import { NonRetryableError } from '../../common/errors.js';
import type { TidemarkDeps } from '../deps.js';

/** A list file for `map.over` that cannot be read as one. */
export class MapItemsError extends NonRetryableError {
  override name = 'MapItemsError';
}

/** The largest list file a map reads (a 100,000-item list of paths is a few MB). */
const MAX_LIST_BYTES = 256 * 2 ** 20;

/** One output of the items of a leaf: `[item index, its ref]`, in index order. */
export type ManifestEntry = [number, ArtifactRef];

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/**
 * The items of a list file: JSON lines (one JSON value per non-empty line) or, when its first line
 * is not JSON (a header row) or its name ends in `.csv`, CSV rows as objects keyed by the header.
 * Errors name the file and the line.
 */
export function parseMapItems(bytes: Buffer, name: string): unknown[] {
  if (bytes.subarray(0, 4096).includes(0))
    throw new MapItemsError(
      `map.over: "${name}" is not a text list (it holds binary bytes); give a JSON-lines or CSV file`,
    );
  const text = bytes.toString('utf8');
  // A stored input is named after the pipeline's input, not its file: a first line that is not JSON means CSV.
  const first = text.split('\n').find((l) => l.trim()) ?? '';
  if (/\.csv$/i.test(name) || !isJson(first)) {
    try {
      return parse(text, { columns: true, skip_empty_lines: true, bom: true }) as unknown[];
    } catch (err) {
      throw new MapItemsError(`map.over: "${name}" is not a CSV file with a header row: ${(err as Error).message}`);
    }
  }
  const items: unknown[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    try {
      items.push(JSON.parse(line));
    } catch {
      throw new MapItemsError(
        `map.over: line ${i + 1} of "${name}" is not JSON (${JSON.stringify(line.slice(0, 60))}); give one JSON value per line, or a .csv file with a header row`,
      );
    }
  }
  return items;
}

/**
 * The activities behind a map whose items or outputs must not travel through workflow histories:
 * count and read slices of a list file, store a leaf's outputs as a manifest, and assemble the
 * manifests into the one folder a downstream step gets (the same layout as a small map's list).
 */
export function createMapItemActivities(deps: Pick<TidemarkDeps, 'store' | 'config' | 'workDir'>) {
  // Every leaf of one map reads the same file: keep the last one parsed.
  let last: { sha256: string; items: unknown[] } | undefined;
  const itemsOf = async (list: ArtifactRef): Promise<unknown[]> => {
    if (last?.sha256 !== list.sha256)
      last = { sha256: list.sha256, items: parseMapItems(await deps.store.getBytes(list, MAX_LIST_BYTES), list.name) };
    return last.items;
  };

  return {
    /** How many items the list file holds; more than the worker allows in one map is refused, naming the bound. */
    async countMapItems(input: { list: ArtifactRef; step: string }): Promise<number> {
      const n = (await itemsOf(input.list)).length;
      const max = deps.config.steps.maxMapItems;
      if (n > max)
        throw new MapItemsError(
          `step "${input.step}", field map.over: "${input.list.name}" holds ${n} items, more than this worker allows in one map (${max}); split the list, or raise the bound with ${ENV.maxMapItems} (steps.maxMapItems) on the worker`,
        );
      return n;
    },

    async readMapItems(input: { list: ArtifactRef; start: number; end: number }): Promise<unknown[]> {
      return (await itemsOf(input.list)).slice(input.start, input.end);
    },

    /** One manifest per output: the leaf's items' refs, stored content-addressed. */
    async storeMapManifests(input: { outputs: Record<string, ManifestEntry[]> }): Promise<Record<string, ArtifactRef>> {
      const refs: Record<string, ArtifactRef> = {};
      for (const [name, entries] of Object.entries(input.outputs))
        refs[name] = await deps.store.putBytes(JSON.stringify(entries), `${name}.manifest.json`);
      return refs;
    },

    /** A shard's table of its items (CSV), for its MLflow run. */
    async storeMapTable(input: { csv: string; name: string }): Promise<ArtifactRef> {
      return deps.store.putBytes(input.csv, input.name);
    },

    /**
     * One folder holding every item's output under its index (`0`, `1`, … as files or folders):
     * what a downstream step finds in its input, exactly as for a map small enough to hand a list.
     */
    async assembleMapOutput(input: { name: string; manifests: ArtifactRef[] }): Promise<ArtifactRef> {
      await mkdir(deps.workDir, { recursive: true });
      const dir = await mkdtemp(join(deps.workDir, `map-output-${process.pid}-`));
      try {
        let done = 0;
        for (const manifest of input.manifests) {
          const entries = JSON.parse((await deps.store.getBytes(manifest)).toString('utf8')) as ManifestEntry[];
          for (const [index, ref] of entries) {
            await deps.store.get(ref, join(dir, String(index)));
            if (++done % 200 === 0) Context.current().heartbeat({ done });
          }
        }
        return await deps.store.put(dir, input.name);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
