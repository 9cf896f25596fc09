import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exportedDatasets, trainAutoencoder } from '../../test/builders/fixtures.js';
import {
  gaussian,
  readCsvText,
  readNpy,
  rng,
  shuffled,
  writeCsvText,
  writeRows,
  type Matrix,
} from '../../test/builders/data-tools.js';

/**
 * Drift scenarios on scikit-learn's digits and wine, each a reference and a batch made fresh for
 * every split seed. The autoencoders are trained once, by the reference trainer image, on half of
 * the digits of classes 0–8; references and batches are drawn from the other half only (or from
 * the 9s, which no model saw).
 */

export interface Split {
  reference: string;
  batch: string;
}

export interface Scenario {
  name: string;
  plugin: string;
  config: Record<string, unknown>;
  /** Whether the batch really drifted (the alarm is right) or not (the alarm is false). */
  drift: boolean;
  make(seed: number, dir: string): Promise<Split>;
}

export interface ScenarioWorld {
  scenarios: Scenario[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export async function createScenarios(workDir: string): Promise<ScenarioWorld> {
  const data = await exportedDatasets();
  await mkdir(workDir, { recursive: true });
  const digits = await readNpy(join(data, 'digits.npy'));
  const images = await readNpy(join(data, 'digits_images.npy'));
  const rotated = await readNpy(join(data, 'digits_rot30.npy'));
  const rotatedImages: Matrix = { ...rotated, rowShape: images.rowShape };
  const labels = (await readNpy(join(data, 'digits_labels.npy'))).values;
  const seen = shuffled(
    range(digits.rows).filter((i) => labels[i] !== 9),
    1000,
  );
  const nines = range(digits.rows).filter((i) => labels[i] === 9);
  const train = seen.slice(0, Math.floor(seen.length / 2));
  const holdout = seen.slice(train.length);

  await writeRows(join(workDir, 'train-rows.npy'), digits, train);
  await writeRows(join(workDir, 'train-images.npy'), images, train);
  const dense = await trainAutoencoder(
    join(workDir, 'train-rows.npy'),
    { epochs: 150, seed: 0 },
    join(workDir, 'dense'),
  );
  const conv = await trainAutoencoder(
    join(workDir, 'train-images.npy'),
    { epochs: 60, seed: 0 },
    join(workDir, 'conv'),
  );

  /** Half of the held-out digits as the reference, the other half through `batchFrom`. */
  const aeSplit =
    (m: Matrix, batchFrom: (idx: number[], seed: number) => { matrix: Matrix; rows: number[]; noise?: number }) =>
    async (seed: number, dir: string): Promise<Split> => {
      const order = shuffled(holdout, seed);
      const half = Math.floor(order.length / 2);
      const reference = join(dir, 'reference.npy');
      const batch = join(dir, 'batch.npy');
      await writeRows(reference, m, order.slice(0, half));
      const b = batchFrom(order.slice(half), seed);
      const noise = b.noise ? gaussian(seed + 7) : undefined;
      await writeRows(
        batch,
        b.matrix,
        b.rows,
        noise ? (row) => row.forEach((v, i) => (row[i] = v + b.noise! * noise())) : undefined,
      );
      return { reference, batch };
    };
  const denseCfg = { model: dense.model };
  const convCfg = { model: conv.model };
  const ninesSample = (seed: number) => shuffled(nines, seed).slice(0, 150);

  const wine = await readCsvText(join(data, 'wine.csv'));
  /** Wine with a `colour` column: red or blue in the reference; the batch may add black. */
  const wineSplit =
    (blackShare: number, mutate?: (cells: string[], row: number) => void) =>
    async (seed: number, dir: string): Promise<Split> => {
      const order = shuffled(range(wine.lines.length), seed);
      const r = rng(seed + 3);
      const colour = (black: number) => (r() < black ? 'black' : r() < 0.5 ? 'red' : 'blue');
      const half = Math.floor(order.length / 2);
      const header = `${wine.header},colour`;
      const reference = join(dir, 'reference.csv');
      const batch = join(dir, 'batch.csv');
      await writeCsvText(
        reference,
        header,
        order.slice(0, half).map((i) => `${wine.lines[i]},${colour(0)}`),
      );
      await writeCsvText(
        batch,
        header,
        order.slice(half).map((i, k) => {
          const cells = `${wine.lines[i]},${colour(blackShare)}`.split(',');
          mutate?.(cells, k);
          return cells.join(',');
        }),
      );
      return { reference, batch };
    };

  const digitsCsv = await readCsvText(join(data, 'digits.csv'));
  /** Digits 3 and 8 only, the reference 30/70 and the batch `share3`/(1 − share3), 150 rows each. */
  const balanceSplit =
    (share3: number) =>
    async (seed: number, dir: string): Promise<Split> => {
      const label = (line: string) => line.slice(line.lastIndexOf(',') + 1);
      const threes = shuffled(
        digitsCsv.lines.filter((l) => label(l) === '3'),
        seed,
      );
      const eights = shuffled(
        digitsCsv.lines.filter((l) => label(l) === '8'),
        seed + 1,
      );
      const reference = join(dir, 'reference.csv');
      const batch = join(dir, 'batch.csv');
      await writeCsvText(reference, digitsCsv.header, [...threes.slice(0, 45), ...eights.slice(0, 105)]);
      const b3 = Math.round(150 * share3);
      await writeCsvText(batch, digitsCsv.header, [...threes.slice(45, 45 + b3), ...eights.slice(105, 105 + 150 - b3)]);
      return { reference, batch };
    };
  const balanceCfg = { labelColumn: 'label' };

  const scenarios: Scenario[] = [
    {
      name: 'digits i.i.d. split (dense AE)',
      plugin: 'drift-autoencoder',
      config: denseCfg,
      drift: false,
      make: aeSplit(digits, (rows) => ({ matrix: digits, rows })),
    },
    {
      name: 'digits + Gaussian noise σ=2 (dense AE)',
      plugin: 'drift-autoencoder',
      config: denseCfg,
      drift: true,
      make: aeSplit(digits, (rows) => ({ matrix: digits, rows, noise: 2 })),
    },
    {
      name: 'digits + Gaussian noise σ=0.5 (dense AE)',
      plugin: 'drift-autoencoder',
      config: denseCfg,
      drift: true,
      make: aeSplit(digits, (rows) => ({ matrix: digits, rows, noise: 0.5 })),
    },
    {
      name: 'digits rotated 30° (dense AE)',
      plugin: 'drift-autoencoder',
      config: denseCfg,
      drift: true,
      make: aeSplit(digits, (rows) => ({ matrix: rotated, rows })),
    },
    {
      name: 'unseen digit class 9 (dense AE)',
      plugin: 'drift-autoencoder',
      config: denseCfg,
      drift: true,
      make: aeSplit(digits, (_, seed) => ({ matrix: digits, rows: ninesSample(seed) })),
    },
    {
      name: 'digits i.i.d. split (conv AE)',
      plugin: 'drift-autoencoder',
      config: convCfg,
      drift: false,
      make: aeSplit(images, (rows) => ({ matrix: images, rows })),
    },
    {
      name: 'digits + Gaussian noise σ=2 (conv AE)',
      plugin: 'drift-autoencoder',
      config: convCfg,
      drift: true,
      make: aeSplit(images, (rows) => ({ matrix: images, rows, noise: 2 })),
    },
    {
      name: 'digits + Gaussian noise σ=0.5 (conv AE)',
      plugin: 'drift-autoencoder',
      config: convCfg,
      drift: true,
      make: aeSplit(images, (rows) => ({ matrix: images, rows, noise: 0.5 })),
    },
    {
      name: 'digits rotated 30° (conv AE)',
      plugin: 'drift-autoencoder',
      config: convCfg,
      drift: true,
      make: aeSplit(images, (rows) => ({ matrix: rotatedImages, rows })),
    },
    {
      name: 'unseen digit class 9 (conv AE)',
      plugin: 'drift-autoencoder',
      config: convCfg,
      drift: true,
      make: aeSplit(images, (_, seed) => ({ matrix: images, rows: ninesSample(seed) })),
    },
    {
      name: 'digits 3/8 at 30/70, same balance (feature-drift)',
      plugin: 'feature-drift',
      config: balanceCfg,
      drift: false,
      make: balanceSplit(0.3),
    },
    {
      name: 'class balance 30/70 → 60/40 (feature-drift)',
      plugin: 'feature-drift',
      config: balanceCfg,
      drift: true,
      make: balanceSplit(0.6),
    },
    {
      name: 'wine i.i.d. split (feature-drift)',
      plugin: 'feature-drift',
      config: { labelColumn: 'class' },
      drift: false,
      make: wineSplit(0),
    },
    {
      name: 'new category level "black" in 10% of rows (feature-drift)',
      plugin: 'feature-drift',
      config: { labelColumn: 'class' },
      drift: true,
      make: wineSplit(0.1),
    },
    { name: 'wine i.i.d. split (integrity)', plugin: 'integrity', config: {}, drift: false, make: wineSplit(0) },
    {
      name: 'wine with NaN in 4% of alcohol values (integrity)',
      plugin: 'integrity',
      config: {},
      drift: true,
      make: wineSplit(0, (cells, row) => {
        if (row % 25 === 0) cells[0] = 'nan';
      }),
    },
  ];
  return { scenarios };
}
