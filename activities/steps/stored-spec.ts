import type { ArtifactRef } from '../../common/artifact.js';
import { SPEC_PART_CHARS, SPEC_STORED_MAX_BYTES, type SpecPart } from '../../common/stored-spec.js';
import type { TidemarkDeps } from '../deps.js';

/**
 * One part of a stored pipeline spec's JSON (common/stored-spec.ts). The whole object is read
 * and its hash checked each time: a spec is read once per run, and a part of a verified whole
 * is as trustworthy as the whole.
 */
export async function readSpecPartActivity(
  deps: Pick<TidemarkDeps, 'store'>,
  input: { ref: ArtifactRef; offset: number },
): Promise<SpecPart> {
  const text = (await deps.store.getBytes(input.ref, SPEC_STORED_MAX_BYTES)).toString('utf8');
  const end = input.offset + SPEC_PART_CHARS;
  return { text: text.slice(input.offset, end), ...(end < text.length ? { next: end } : {}) };
}
