import { readFile, writeFile } from 'node:fs/promises';
import randu from '@stdlib/random-base-randu';
import { npyDataset } from '../../lib/data/npy-source.js';
import { writeNpy } from './npy-writer.js';

/** Small in-memory helpers for making evaluation splits of small data sets. */

export interface Matrix {
  rows: number;
  /** Shape of one row (e.g. [64] or [1, 8, 8]). */
  rowShape: number[];
  values: Float32Array;
}

export async function readNpy(path: string): Promise<Matrix> {
  const ds = npyDataset(path);
  const schema = await ds.schema();
  const width = schema.columns.length;
  const values = new Float32Array(schema.rows! * width);
  for await (const c of ds.chunks()) values.set(c.numeric, c.offset * width);
  return { rows: schema.rows!, rowShape: schema.featureShape, values };
}

export function width(m: Matrix): number {
  return m.rowShape.reduce((a, b) => a * b, 1);
}

export async function writeRows(
  path: string,
  m: Matrix,
  indices: readonly number[],
  transform?: (row: Float32Array) => void,
): Promise<void> {
  const w = width(m);
  await writeNpy(path, indices.length, m.rowShape, (block, first, n) => {
    for (let i = 0; i < n; i++) {
      const row = m.values.slice(indices[first + i]! * w, (indices[first + i]! + 1) * w);
      transform?.(row);
      block.set(row, i * w);
    }
  });
}

/** Seeded uniform numbers in [0, 1). */
export function rng(seed: number): () => number {
  return randu.factory({ seed: seed + 1 });
}

export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const r = rng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Standard normal numbers (Box–Muller over a seeded uniform stream). */
export function gaussian(seed: number): () => number {
  const r = rng(seed);
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

export interface CsvText {
  header: string;
  lines: string[];
}

export async function readCsvText(path: string): Promise<CsvText> {
  const [header, ...lines] = (await readFile(path, 'utf8')).split('\n').filter((l) => l.length > 0);
  return { header: header!, lines };
}

export async function writeCsvText(path: string, header: string, lines: readonly string[]): Promise<void> {
  await writeFile(path, `${[header, ...lines].join('\n')}\n`);
}
