import { randomUUID } from 'node:crypto';
import { parse, stringify } from 'yaml';

/** The loader modules of python_function flavors that the serving image can load (its packages: scikit-learn, torch, ONNX Runtime). */
export const SERVABLE_LOADERS = ['mlflow.sklearn', 'mlflow.onnx', 'mlflow.pytorch', 'mlflow.pyfunc.model'] as const;

export interface MlmodelInfo {
  flavors: string[];
  /** The python_function flavor's loader module, when the model has that flavor. */
  loader?: string;
}

/** The flavors of an MLmodel file's YAML; throws when it is not an MLmodel. */
export function readMlmodel(text: string): MlmodelInfo {
  const doc = parse(text) as { flavors?: Record<string, { loader_module?: string }> } | null;
  if (!doc || typeof doc !== 'object' || !doc.flavors || typeof doc.flavors !== 'object')
    throw new Error('the MLmodel file has no flavors');
  return { flavors: Object.keys(doc.flavors).sort(), loader: doc.flavors.python_function?.loader_module };
}

/** Why MLflow's scoring server in the serving image cannot serve this model; undefined when it can. */
export function unservableReason(info: MlmodelInfo): string | undefined {
  if (!info.loader)
    return `it has no python_function flavor (flavors: ${info.flavors.join(', ') || 'none'}), so MLflow's scoring server cannot load it`;
  if (!(SERVABLE_LOADERS as readonly string[]).includes(info.loader))
    return `its python_function flavor loads with ${info.loader}, which the serving image does not have (it serves ${SERVABLE_LOADERS.join(', ')})`;
  return undefined;
}

/**
 * The MLmodel of an ONNX file wrapped as an MLflow Model (the ONNX flavor and python_function
 * through mlflow.onnx), as `mlflow.onnx.save_model` writes it, for a folder holding `model.onnx`.
 */
export function onnxMlmodel(opts: {
  onnxVersion: string;
  pythonVersion: string;
  mlflowVersion: string;
  now: Date;
}): string {
  return stringify({
    artifact_path: 'model',
    flavors: {
      onnx: { code: null, data: 'model.onnx', onnx_version: opts.onnxVersion, providers: ['CPUExecutionProvider'] },
      python_function: { data: 'model.onnx', loader_module: 'mlflow.onnx', python_version: opts.pythonVersion },
    },
    mlflow_version: opts.mlflowVersion,
    model_uuid: randomUUID().replace(/-/g, ''),
    utc_time_created: opts.now.toISOString().replace('T', ' ').replace('Z', ''),
  });
}
