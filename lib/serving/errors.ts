import { NonRetryableError } from '../../common/errors.js';

/** Thrown when a deploy names a registered model that does not exist. */
export class ModelNotFoundError extends NonRetryableError {
  override name = 'ModelNotFoundError';
}

/** Thrown when a deploy names an alias or a version the registered model does not have. */
export class ModelVersionNotFoundError extends NonRetryableError {
  override name = 'ModelVersionNotFoundError';
}

/** Thrown when a registered version is not an MLflow Model that MLflow's scoring server can load. */
export class UnservableModelError extends NonRetryableError {
  override name = 'UnservableModelError';
}

/** Thrown when a model server exits or never answers /ping; carries the tail of its log. */
export class ModelServerStartError extends NonRetryableError {
  override name = 'ModelServerStartError';
}

/** Thrown when the serving port range has no free port left. */
export class NoFreePortError extends NonRetryableError {
  override name = 'NoFreePortError';
}

/** Thrown when HAProxy is not installed or refuses its configuration. */
export class ProxyError extends NonRetryableError {
  override name = 'ProxyError';
}
