import { ApplicationFailure } from '@temporalio/activity';

/**
 * Domain errors of Tidemark's activities, and the one place that maps them to Temporal failures.
 * A non-retryable failure means retrying cannot help (bad input, missing image, broken
 * Dockerfile); everything else is retried by the activity's retry policy.
 */

/** Thrown when an artifact's bytes do not hash to the sha256 its ref names. */
export class ArtifactIntegrityError extends Error {
  override name = 'ArtifactIntegrityError';
}

/** Thrown when a ref points at an object that is not in the store. */
export class ArtifactMissingError extends Error {
  override name = 'ArtifactMissingError';
}

/** Thrown when a step's image does not exist and cannot be built. */
export class ImageMissingError extends Error {
  override name = 'ImageMissingError';
}

/** Thrown when `docker build` fails; carries the tail of the build log. */
export class ImageBuildError extends Error {
  override name = 'ImageBuildError';
  constructor(message: string, readonly logTail: string) {
    super(`${message}\n--- last lines of the build log ---\n${logTail}`);
  }
}

/** Thrown when a step's container exits non-zero; carries the exit code and the log's tail. */
export class StepExitError extends Error {
  override name = 'StepExitError';
  constructor(readonly step: string, readonly exitCode: number, readonly logTail: string) {
    super(`step "${step}" exited with code ${exitCode}\n--- last lines of its log ---\n${logTail}`);
  }
}

/** Thrown when a step's container runs longer than the step's timeout (it is stopped). */
export class StepTimeoutError extends Error {
  override name = 'StepTimeoutError';
}

/** Thrown when a step's input or output breaks the step contract (missing output, bad path, …). */
export class StepContractError extends Error {
  override name = 'StepContractError';
}

/** Thrown when a labeling session's pool, labeled set, ledger or scorer do not fit together. */
export class LabelingDataError extends Error {
  override name = 'LabelingDataError';
}

const NON_RETRYABLE = new Set([
  // checker plugins (plugins/errors.ts): bad input that no retry can mend
  'PluginNotFoundError', 'PluginShapeError', 'PluginConfigError', 'DataFormatError', 'EmptyDataError', 'DataShapeError', 'ModelLoadError', 'CheckerStateError', 'ContainerCheckerError',
  'LabelingDataError',
  'StepTimeoutError', 'ArtifactMissingError', 'ImageMissingError', 'ImageBuildError', 'StepContractError', 'ArtifactIntegrityError']);

/** Maps a domain error to the Temporal failure a workflow sees; anything else passes through. */
export function toFailure(err: unknown): unknown {
  if (err instanceof StepExitError) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.name,
      // The workflow retries a failing container itself (the step's `retries`), as a new attempt
      // with a new container; Temporal's retries are kept for crashes and outages.
      nonRetryable: true,
      details: [{ step: err.step, exitCode: err.exitCode, logTail: err.logTail }],
    });
  }
  if (err instanceof Error && NON_RETRYABLE.has(err.name)) {
    return ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true });
  }
  return err;
}

/** Wraps an activity so that its domain errors reach the workflow as the right failure kind. */
export function mapFailures<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toFailure(err);
    }
  };
}
