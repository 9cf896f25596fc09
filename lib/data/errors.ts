import { NonRetryableError } from '../../common/errors.js';

/** Thrown when a data file cannot be read as CSV or .npy (ragged rows, bad header, unsupported dtype). */
export class DataFormatError extends NonRetryableError {
  override name = 'DataFormatError';
}

/** Thrown when a reference or batch has no rows. */
export class EmptyDataError extends NonRetryableError {
  override name = 'EmptyDataError';
}

/** Thrown when data does not fit what the fitted state or the model expects (columns, feature count). */
export class DataShapeError extends NonRetryableError {
  override name = 'DataShapeError';
}
