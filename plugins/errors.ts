/**
 * Errors of the checker plugins. Each is a bad-input error: retrying the same check with the same
 * data, model and config cannot help, so each is a NonRetryableError. The data and model errors
 * the plugins also throw live with their libraries (lib/data/errors.ts, lib/onnx/errors.ts).
 */
import { NonRetryableError } from '../common/errors.js';

export { DataFormatError, DataShapeError, EmptyDataError } from '../lib/data/errors.js';
export { ModelLoadError } from '../lib/onnx/errors.js';

/** Thrown when a plugin name is neither built in, registered, nor a loadable path or package. */
export class PluginNotFoundError extends NonRetryableError {
  override name = 'PluginNotFoundError';
  constructor(
    readonly plugin: string,
    readonly registered: readonly string[],
    reason?: string,
  ) {
    super(
      `no checker plugin named "${plugin}"${reason ? ` (${reason})` : ''}. Registered: ${registered.join(', ') || '(none)'}. ` +
        'A user plugin can also be named by a local path (./my-checker.ts), an npm package (npm:my-checker) or an image (image:repo:tag).',
    );
  }
}

/** Thrown when a checker module is TypeScript and nothing here can load TypeScript (tsx is not installed). */
export class PluginTypeScriptError extends NonRetryableError {
  override name = 'PluginTypeScriptError';
}

/** Thrown when a loaded module does not have the shape of a checker plugin; names the missing member. */
export class PluginShapeError extends NonRetryableError {
  override name = 'PluginShapeError';
}

/** Thrown when a plugin's config does not satisfy its schema. */
export class PluginConfigError extends NonRetryableError {
  override name = 'PluginConfigError';
}

/** Thrown when a check needs a fitted state and none was given, or the state is of another plugin. */
export class CheckerStateError extends NonRetryableError {
  override name = 'CheckerStateError';
}

/** Thrown when a container plugin exits non-zero or writes no valid /outputs/report.json. */
export class ContainerCheckerError extends NonRetryableError {
  override name = 'ContainerCheckerError';
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(logTail ? `${message}\n--- last lines of its log ---\n${logTail}` : message);
  }
}
