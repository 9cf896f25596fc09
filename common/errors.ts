/**
 * The one kind of error that retrying cannot mend: bad input, a missing image, a broken
 * Dockerfile, data that does not fit a model. Domain errors extend it; activities report it to
 * the workflow as a non-retryable failure whose type is the error's name (see
 * activities/failures.ts, the one place that decides). Every other error is retried.
 */
export class NonRetryableError extends Error {
  override name = 'NonRetryableError';

  /** Details a workflow may read from the failure (small, serialisable, no secrets). */
  details(): unknown[] {
    return [];
  }
}
