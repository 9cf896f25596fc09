import { NonRetryableError } from '../../common/errors.js';

/** Thrown when an ONNX model cannot be loaded (missing, corrupt) or does not look like an autoencoder. */
export class ModelLoadError extends NonRetryableError {
  override name = 'ModelLoadError';
}
