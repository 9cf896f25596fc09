import type { Client } from 'minio';
import { parseS3Uri } from '../../common/artifact.js';
import { formatModelRef, parseModelRef, type ResolvedModel } from '../../common/serving.js';
import type { MlflowClient } from '../../lib/mlflow/mlflow-client.js';
import { ModelNotFoundError, ModelVersionNotFoundError, UnservableModelError } from '../../lib/serving/errors.js';
import { readMlmodel, unservableReason } from '../../lib/serving/mlmodel.js';

async function readObject(minio: Client, uri: string): Promise<string | undefined> {
  const { bucket, key } = parseS3Uri(uri);
  try {
    const chunks: Buffer[] = [];
    for await (const c of await minio.getObject(bucket, key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket') return undefined;
    throw err;
  }
}

/**
 * Resolves `name@alias` or `name/version` in MLflow's registry (its REST API) and checks that the
 * version is an MLflow Model that the serving image can load. Each refusal names the problem and
 * what to do, in the user's terms.
 */
export async function resolveModel(mlflow: MlflowClient, minio: Client, text: string): Promise<ResolvedModel> {
  const ref = parseModelRef(text);
  if (!ref) throw new ModelVersionNotFoundError(`"${text}" is not a model reference; write name@alias or name/version`);
  const registered = await mlflow.getRegisteredModel(ref.name);
  if (!registered)
    throw new ModelNotFoundError(
      `there is no registered model "${ref.name}" in MLflow (${mlflow.trackingUri}). Fix: check the name, or register it first (a pipeline step with register: { model, name }).`,
    );
  let version = ref.version;
  if (ref.alias !== undefined) {
    version = registered.aliases.find((a) => a.alias === ref.alias)?.version;
    if (!version) {
      const known = registered.aliases.map((a) => `${a.alias} (v${a.version})`).join(', ') || 'none';
      throw new ModelVersionNotFoundError(
        `registered model "${ref.name}" has no alias "${ref.alias}" (its aliases: ${known}). Fix: deploy one of those, or a version (${ref.name}/<version>).`,
      );
    }
  }
  const mv = await mlflow.getModelVersion(ref.name, version!);
  if (!mv)
    throw new ModelVersionNotFoundError(
      `registered model "${ref.name}" has no version ${version}. Fix: check the version in the MLflow UI, or deploy by alias (${ref.name}@champion).`,
    );
  const what = `${formatModelRef(ref)}${ref.alias !== undefined ? ` (v${version})` : ''}`;
  if (!mv.source.startsWith('s3://'))
    throw new UnservableModelError(
      `${what} cannot be served: its source ${mv.source} is not in the artifact store Tidemark serves from (s3://).`,
    );
  const text2 = await readObject(minio, `${mv.source.replace(/\/$/, '')}/MLmodel`);
  if (text2 === undefined)
    throw new UnservableModelError(
      `${what} cannot be served: it is not an MLflow Model (no MLmodel file at its source; it was registered as a raw file). Fix: have the step write an MLflow Model folder (mlflow.sklearn.save_model, as examples/digits/image/train.py does) or an .onnx file, and deploy the version that registers.`,
    );
  let info;
  try {
    info = readMlmodel(text2);
  } catch (err) {
    throw new UnservableModelError(
      `${what} cannot be served: its MLmodel file does not parse (${(err as Error).message}).`,
    );
  }
  const reason = unservableReason(info);
  if (reason) throw new UnservableModelError(`${what} cannot be served: ${reason}.`);
  return {
    name: ref.name,
    version: mv.version,
    source: mv.source.replace(/\/$/, ''),
    flavors: info.flavors,
    alias: ref.alias,
  };
}
