/** Thrown when a labels file cannot be read or holds no valid labels; the message says what to fix. */
export class LabelsFileError extends Error {
  override name = 'LabelsFileError';
}
