import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { TidemarkConfig } from '../../common/config.js';
import { createMinioClient } from '../../lib/artifacts/minio-client.js';
import { DockerBackend } from '../../lib/containers/docker-backend.js';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import { SERVING_IMAGE } from '../../lib/serving/serving-image.js';

/** The serving image, built once (as the worker builds it). */
export async function servingImage(config: TidemarkConfig): Promise<string> {
  const backend = DockerBackend.fromSocket(config.containers.dockerSocket);
  const r = await backend.build(
    { context: SERVING_IMAGE.context, repository: SERVING_IMAGE.repository, network: 'host' },
    () => undefined,
  );
  return r.image;
}

const TRAIN = `
import sys, sklearn, mlflow.sklearn
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
X, y = load_digits(return_X_y=True)
for spec in sys.argv[1:]:
    name, C, broken = spec.split(':')
    Xt = X[:, :-1] if broken == '1' else X
    m = LogisticRegression(C=float(C), max_iter=3000).fit(Xt, y)
    mlflow.sklearn.save_model(m, '/out/' + name, serialization_format='pickle', pip_requirements=['scikit-learn==' + sklearn.__version__])
`;

function files(root: string): string[] {
  return readdirSync(root).flatMap((n) => {
    const p = join(root, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/**
 * Digits classifiers saved with mlflow.sklearn.save_model in the serving image (as a train step
 * would), uploaded under MLflow's artifact root and registered as versions of `model`, in order.
 * `broken` versions were trained on 63 pixels: every prediction of 64-pixel rows fails.
 * `raw` registers a plain file that is not an MLflow Model. Returns the version numbers.
 */
export async function registerDigitsModels(
  config: TidemarkConfig,
  model: string,
  specs: ({ C: number; broken?: boolean } | 'raw')[],
): Promise<string[]> {
  const mlflow = new MlflowClient(config.mlflow.trackingUri);
  const image = await servingImage(config);
  const out = mkdtempSync(join(tmpdir(), 'serve-models-'));
  try {
    const args = specs.flatMap((s, i) => (s === 'raw' ? [] : [`m${i}:${s.C}:${s.broken ? 1 : 0}`]));
    if (args.length)
      execFileSync(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'none',
          '-v',
          `${out}:/out`,
          '--entrypoint',
          'python3',
          image,
          '-c',
          TRAIN,
          ...args,
        ],
        { stdio: 'pipe' },
      );
    const minio = createMinioClient(config.minio);
    await mlflow.createRegisteredModel(model);
    const versions: string[] = [];
    for (const [i, s] of specs.entries()) {
      const prefix = `tests/${model}/${i}`;
      let source = `s3://${config.mlflow.artifactBucket}/${prefix}/model`;
      if (s === 'raw') {
        await minio.putObject(config.mlflow.artifactBucket, `${prefix}/outputs/model.pkl`, Buffer.from('not a model'));
        source = `s3://${config.mlflow.artifactBucket}/${prefix}/outputs/model.pkl`;
      } else {
        const dir = join(out, `m${i}`);
        for (const f of files(dir))
          await minio.fPutObject(config.mlflow.artifactBucket, `${prefix}/model/${relative(dir, f)}`, f, {});
      }
      versions.push((await mlflow.createModelVersion({ name: model, source })).version);
    }
    return versions;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** 64-pixel digit rows (0..16 each) as MLflow's dataframe_split, deterministic from `seed`. */
export function digitRows(n: number, seed = 1, shift = 0): { columns: string[]; data: number[][] } {
  let x = seed;
  const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const columns = Array.from({ length: 64 }, (_, i) => `p${i}`);
  const data = Array.from({ length: n }, () => columns.map(() => Math.min(16, Math.round(rand() * 16) + shift)));
  return { columns, data };
}
