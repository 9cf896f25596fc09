import { NonRetryableError } from '../../common/errors.js';

/** Thrown when an artifact's bytes do not hash to the sha256 its ref names. */
export class ArtifactIntegrityError extends NonRetryableError {
  override name = 'ArtifactIntegrityError';
}

/** Thrown when a ref points at an object that is not in the store. */
export class ArtifactMissingError extends NonRetryableError {
  override name = 'ArtifactMissingError';
}
