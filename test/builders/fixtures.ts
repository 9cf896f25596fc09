import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runContract } from '../../activities/check/run-container.js';
import { DockerBackend } from '../../lib/containers/docker-backend.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { BASE_IMAGES } from '../../common/images.js';

/**
 * The scikit-learn data sets the checker tests use, exported by datasets/export_datasets.py in
 * the python-ml image through DockerBackend, and cached per script content under the temp folder.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const DATASET_SCRIPT = join(here, 'datasets', 'export_datasets.py');
export const TRAINER_CONTEXT = join(here, '..', '..', 'plugins', 'drift-autoencoder', 'trainer');

export function dockerBackend(): DockerBackend {
  return DockerBackend.fromSocket(resolveConfig().containers.dockerSocket);
}

let exported: Promise<string> | undefined;

/** Folder holding digits.npy, digits.csv, iris.csv, wine.csv, … (see the script). */
export function exportedDatasets(): Promise<string> {
  exported ??= (async () => {
    const script = await readFile(DATASET_SCRIPT);
    const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
    const dir = join(tmpdir(), 'tidemark-checker-fixtures', hash);
    if (existsSync(join(dir, 'wine.csv'))) return dir;
    const staging = `${dir}.staging-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    await runContract(dockerBackend(), {
      image: BASE_IMAGES.pythonMl,
      inputs: { 'export_datasets.py': DATASET_SCRIPT },
      outputsDir: join(staging, 'out'),
      args: ['python3', '/inputs/export_datasets.py'],
    });
    await mkdir(dirname(dir), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(join(staging, 'out'), dir);
    await rm(staging, { recursive: true, force: true });
    return dir;
  })();
  return exported;
}

/** Builds the reference trainer image (cached by content) and returns its name. */
export async function trainerImage(log: (line: string) => void = () => undefined): Promise<string> {
  return (await dockerBackend().build({ context: TRAINER_CONTEXT, repository: 'tidemark/ae-trainer' }, log)).image;
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
