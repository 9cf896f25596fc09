import type { RejectedLabel } from '../common/labeling-messages.js';

/**
 * Thrown when a labeling session cannot be reached or take labels: the workflow does not exist,
 * is not a labeling session or no longer runs, a label is too large for one update, or the
 * session refused every label (`rejected` then holds each label's reason).
 */
export class LabelingSessionError extends Error {
  override readonly name = 'LabelingSessionError';

  constructor(
    message: string,
    readonly rejected: RejectedLabel[] = [],
  ) {
    super(message);
  }
}
