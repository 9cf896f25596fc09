import { ApplicationFailure } from '@temporalio/activity';
import { NonRetryableError } from '../common/errors.js';

/**
 * The one place that decides how an activity's error reaches the workflow: a NonRetryableError
 * (retrying cannot help) becomes a non-retryable ApplicationFailure typed by the error's name,
 * with its details; anything else passes through and is retried by the activity's retry policy.
 */
export function toFailure(err: unknown): unknown {
  if (err instanceof NonRetryableError) {
    return ApplicationFailure.create({
      message: err.message,
      type: err.name,
      nonRetryable: true,
      details: err.details(),
    });
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
