import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runContract } from '../../activities/check/run-container.js';
import { DockerBackend } from '../../lib/containers/docker-backend.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { BASE_IMAGES } from '../../common/images.js';
import { ENV } from '../../common/env.js';

/**
 * The scikit-learn data sets the checker tests use, exported by datasets/export_datasets.py in
 * the python-ml image through DockerBackend, and the reference autoencoders trained on them by
 * the trainer image. Both are cached in the tools cache (~/.cache/tidemark, or
 * TIDEMARK_TOOLS_DIR) under a hash of everything that makes them (script or training data,
 * params, trainer files and the python-ml image), so a second run skips Docker altogether.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const DATASET_SCRIPT = join(here, 'datasets', 'export_datasets.py');
export const TRAINER_CONTEXT = join(here, '..', '..', 'plugins', 'drift-autoencoder', 'trainer');

export function dockerBackend(): DockerBackend {
  return DockerBackend.fromSocket(resolveConfig().containers.dockerSocket);
}

/** The shared tools cache's folder for checker fixtures. */
export function fixtureCacheDir(): string {
  return join(process.env[ENV.toolsDir] ?? join(homedir(), '.cache', 'tidemark'), 'checker-fixtures');
}

const sha = (...parts: (string | Uint8Array)[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 20);
};

let pythonMlId: Promise<string> | undefined;
const pythonMlImage = () => (pythonMlId ??= dockerBackend().imageDigest(BASE_IMAGES.pythonMl));

/**
 * `make(staging)` fills a folder once per key; later calls (in any process, on this machine) get
 * the cached folder. A folder appears whole or not at all (renamed into place).
 */
async function cachedFolder(
  kind: string,
  key: string,
  done: string,
  make: (dir: string) => Promise<void>,
): Promise<string> {
  const dir = join(fixtureCacheDir(), kind, key);
  if (existsSync(join(dir, done))) return dir;
  const staging = `${dir}.staging-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await make(staging);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return dir;
}

let exported: Promise<string> | undefined;

/** Folder holding digits.npy, digits.csv, iris.csv, wine.csv, breast_cancer.csv, … (see the script). */
export function exportedDatasets(): Promise<string> {
  exported ??= (async () => {
    const key = sha(await readFile(DATASET_SCRIPT), await pythonMlImage());
    return cachedFolder('datasets', key, 'diabetes.csv', async (staging) => {
      await runContract(dockerBackend(), {
        image: BASE_IMAGES.pythonMl,
        inputs: { 'export_datasets.py': DATASET_SCRIPT },
        outputsDir: join(staging, 'out'),
        args: ['python3', '/inputs/export_datasets.py'],
      });
      for (const f of await readdir(join(staging, 'out'))) await rename(join(staging, 'out', f), join(staging, f));
    });
  })();
  return exported;
}

/** Builds the reference trainer image (cached by content) and returns its name. */
export async function trainerImage(log: (line: string) => void = () => undefined): Promise<string> {
  return (await dockerBackend().build({ context: TRAINER_CONTEXT, repository: 'tidemark/ae-trainer' }, log)).image;
}

/**
 * Trains an autoencoder with the trainer image once per content (training data, params, trainer
 * files, python-ml image) and returns the cached model; a later run with the same inputs reuses it.
 */
export async function cachedAutoencoder(
  train: string,
  params: Record<string, unknown>,
): Promise<{ model: string; metrics: Record<string, number>; cached: boolean }> {
  const trainer = await Promise.all(
    (await readdir(TRAINER_CONTEXT)).sort().map(async (f) => sha(f, await readFile(join(TRAINER_CONTEXT, f)))),
  );
  const key = sha(await readFile(train), JSON.stringify(params), ...trainer, await pythonMlImage());
  let cached = true;
  const dir = await cachedFolder('autoencoders', key, 'model.onnx', async (staging) => {
    cached = false;
    const out = join(staging, 'out');
    await trainAutoencoder(train, params, out);
    for (const f of ['model.onnx', 'metrics.json']) await copyFile(join(out, f), join(staging, f));
    await rm(out, { recursive: true, force: true });
  });
  const metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')) as Record<string, number>;
  return { model: join(dir, 'model.onnx'), metrics, cached };
}

/** Trains an autoencoder on a .npy or CSV file with the trainer image; returns its output folder. */
export async function trainAutoencoder(
  train: string,
  params: Record<string, unknown>,
  outputsDir: string,
): Promise<{ model: string; metrics: Record<string, number> }> {
  const image = await trainerImage();
  await runContract(dockerBackend(), { image, inputs: { train }, params, outputsDir });
  const metrics = JSON.parse(await readFile(join(outputsDir, 'metrics.json'), 'utf8')) as Record<string, number>;
  return { model: join(outputsDir, 'model.onnx'), metrics };
}
