import { NonRetryableError } from '../common/errors.js';

export { ArtifactIntegrityError, ArtifactMissingError } from '../lib/artifacts/errors.js';
export { ImageBuildError, ImageMissingError, StepContractError } from '../lib/containers/errors.js';

/**
 * Thrown when a step's container exits non-zero; carries the exit code and the log's tail. The
 * workflow retries a failing container itself (the step's `retries`), as a new attempt with a new
 * container; Temporal's retries are kept for crashes and outages.
 */
export class StepExitError extends NonRetryableError {
  override name = 'StepExitError';
  constructor(
    readonly step: string,
    readonly exitCode: number,
    readonly logTail: string,
  ) {
    super(`step "${step}" exited with code ${exitCode}\n--- last lines of its log ---\n${logTail}`);
  }

  override details(): unknown[] {
    return [{ step: this.step, exitCode: this.exitCode, logTail: this.logTail }];
  }
}

/** Thrown when a step's container runs longer than the step's timeout (it is stopped). */
export class StepTimeoutError extends NonRetryableError {
  override name = 'StepTimeoutError';
}

/** Thrown when a labeling session's pool, labeled set, ledger or scorer do not fit together. */
export class LabelingDataError extends NonRetryableError {
  override name = 'LabelingDataError';
}

/** Thrown when a pipeline or a step asks for more than the worker allows (secrets, resources, size); lists every problem. */
export class StepPolicyError extends NonRetryableError {
  override name = 'StepPolicyError';
  constructor(readonly problems: string[]) {
    super(
      `Refused by the worker before the step${problems.length === 1 ? '' : 's'} ran (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }

  override details(): unknown[] {
    return this.problems;
  }
}
