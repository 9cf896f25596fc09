/**
 * Errors of the checker plugins. Each is a bad-input error: retrying the same check with the same
 * data, model and config cannot help, so activities map them to non-retryable failures.
 */

/** Thrown when a plugin name is neither built in, registered, nor a loadable path or package. */
export class PluginNotFoundError extends Error {
  override name = 'PluginNotFoundError';
  constructor(readonly plugin: string, readonly registered: readonly string[], reason?: string) {
    super(
      `no checker plugin named "${plugin}"${reason ? ` (${reason})` : ''}. Registered: ${registered.join(', ') || '(none)'}. ` +
        'A user plugin can also be named by a local path (./my-checker.ts), an npm package (npm:my-checker) or an image (image:repo:tag).',
    );
  }
}

/** Thrown when a loaded module does not have the shape of a checker plugin; names the missing member. */
export class PluginShapeError extends Error {
  override name = 'PluginShapeError';
}

/** Thrown when a plugin's config does not satisfy its schema. */
export class PluginConfigError extends Error {
  override name = 'PluginConfigError';
}

/** Thrown when a data file cannot be read as CSV or .npy (ragged rows, bad header, unsupported dtype). */
export class DataFormatError extends Error {
  override name = 'DataFormatError';
}

/** Thrown when a reference or batch has no rows. */
export class EmptyDataError extends Error {
  override name = 'EmptyDataError';
}

/** Thrown when data does not fit what the fitted state or the model expects (columns, feature count). */
export class DataShapeError extends Error {
  override name = 'DataShapeError';
}

/** Thrown when an ONNX model cannot be loaded (missing, corrupt) or does not look like an autoencoder. */
export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
}

/** Thrown when a check needs a fitted state and none was given, or the state is of another plugin. */
export class CheckerStateError extends Error {
  override name = 'CheckerStateError';
}

/** Thrown when a container plugin exits non-zero or writes no valid /outputs/report.json. */
export class ContainerCheckerError extends Error {
  override name = 'ContainerCheckerError';
  constructor(message: string, readonly logTail: string) {
    super(logTail ? `${message}\n--- last lines of its log ---\n${logTail}` : message);
  }
}

/** Names of every error above: all are non-retryable. */
export const CHECKER_ERROR_NAMES: readonly string[] = [
  'PluginNotFoundError',
  'PluginShapeError',
  'PluginConfigError',
  'DataFormatError',
  'EmptyDataError',
  'DataShapeError',
  'ModelLoadError',
  'CheckerStateError',
  'ContainerCheckerError',
];
