/**
 * A pipeline spec too large to travel inline. Temporal warns about any payload over 512 KB and
 * refuses one over 2 MB, and a pipeline's spec rides in its start event and again in every
 * continue-as-new: a 10,000-step chain's is about 1.3 MB. Above SPEC_INLINE_MAX_BYTES the client
 * stores the spec in the artifact store (content-addressed, so it cannot change under the run)
 * and starts the workflow with its ref; the workflow reads it back in parts of at most
 * SPEC_PART_CHARS, each one activity result well under the warning limit.
 */
export const SPEC_INLINE_MAX_BYTES = 256 * 1024;

/** Characters of the stored spec's JSON one read returns. */
export const SPEC_PART_CHARS = 192 * 1024;

/** The largest stored spec a worker reads: past this, the spec is not a pipeline people wrote. */
export const SPEC_STORED_MAX_BYTES = 64 * 1024 * 1024;

export interface SpecPart {
  text: string;
  /** Where the next part starts, or undefined after the last. */
  next?: number;
}
