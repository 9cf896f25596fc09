import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Client } from 'minio';
import { parseS3Uri, type ArtifactRef } from '../../common/artifact.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';
import { onnxMlmodel } from '../../lib/serving/mlmodel.js';
import { SERVING_IMAGE } from '../../lib/serving/serving-image.js';

/** How a registered version's files are laid out: an MLflow Model (written by the step or wrapped by Tidemark), or the raw output. */
export type ModelFormat = 'mlflow' | 'onnx' | 'raw';

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    const full = join(root, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** True when onnxruntime can open the file as an ONNX model. */
async function isOnnx(path: string): Promise<boolean> {
  const { InferenceSession } = await import('onnxruntime-node');
  return InferenceSession.create(path).then(
    async (s) => {
      await s.release();
      return true;
    },
    () => false,
  );
}

/**
 * Lays out a step's model output so the registered version is an MLflow Model that any MLflow
 * tool (and Tidemark's model server) can load, under the run's artifacts at `model/`:
 * - a folder with an `MLmodel` file (what `mlflow.sklearn.save_model` and its kin write) is
 *   unpacked there file by file (the step output itself is a tar in the store);
 * - a single ONNX file is wrapped: `model.onnx` beside an MLmodel with the ONNX and
 *   python_function flavors;
 * - anything else is registered as the raw output, as before (format `raw`; it cannot be served).
 * Returns the source to register the version with.
 */
export async function registerableSource(
  store: ArtifactStore,
  minio: Client,
  scratch: string,
  base: string,
  output: { name: string; ref: ArtifactRef },
): Promise<{ source: string; format: ModelFormat }> {
  const raw = {
    source: `${base}/outputs/${output.name}${output.ref.kind === 'dir' ? '.tar' : ''}`,
    format: 'raw' as const,
  };
  if (!base.startsWith('s3://')) return raw;
  const target = parseS3Uri(`${base}/model`);
  const tmp = await mkdtemp(join(scratch, 'register-'));
  try {
    if (output.ref.kind === 'dir') {
      const dir = join(tmp, 'model');
      await store.get(output.ref, dir);
      if (!existsSync(join(dir, 'MLmodel'))) return raw;
      for (const file of await walk(dir))
        await minio.fPutObject(target.bucket, `${target.key}/${relative(dir, file).split('\\').join('/')}`, file, {});
      return { source: `${base}/model`, format: 'mlflow' };
    }
    const file = join(tmp, 'model.onnx');
    await store.get(output.ref, file);
    if (!(await isOnnx(file))) return raw;
    const mlmodel = join(tmp, 'MLmodel');
    await writeFile(
      mlmodel,
      onnxMlmodel({
        onnxVersion: SERVING_IMAGE.onnxVersion,
        pythonVersion: SERVING_IMAGE.pythonVersion,
        mlflowVersion: SERVING_IMAGE.mlflowVersion,
        now: new Date(),
      }),
    );
    await store.copyTo(output.ref, `${base}/model/model.onnx`);
    await minio.fPutObject(target.bucket, `${target.key}/MLmodel`, mlmodel, {});
    return { source: `${base}/model`, format: 'onnx' };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
