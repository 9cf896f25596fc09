import { NonRetryableError } from '../../common/errors.js';

/** Thrown when a step's image does not exist and cannot be built. */
export class ImageMissingError extends NonRetryableError {
  override name = 'ImageMissingError';
}

/** Thrown when `docker build` fails; carries the tail of the build log. */
export class ImageBuildError extends NonRetryableError {
  override name = 'ImageBuildError';
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(`${message}\n--- last lines of the build log ---\n${logTail}`);
  }
}

/** Thrown when a step's input or output breaks the step contract (missing output, bad path, …). */
export class StepContractError extends NonRetryableError {
  override name = 'StepContractError';
}
