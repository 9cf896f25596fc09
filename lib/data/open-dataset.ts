import { open } from 'node:fs/promises';
import { DataFormatError } from './errors.js';
import { csvDataset } from './csv-source.js';
import type { Dataset } from './dataset.js';
import { isNpy, npyDataset } from './npy-source.js';

/** Opens a CSV or .npy file, told apart by its first bytes (the .npy magic), not by its name. */
export async function openDataset(path: string): Promise<Dataset> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new DataFormatError(`cannot open data file ${path}: ${(err as Error).message}`);
  }
  try {
    const info = await fh.stat();
    if (info.isDirectory()) throw new DataFormatError(`${path} is a folder; a checker reads one CSV or .npy file`);
    const head = new Uint8Array(8);
    await fh.read(head, 0, 8, 0);
    return isNpy(head) ? npyDataset(path) : csvDataset(path);
  } finally {
    await fh.close();
  }
}
