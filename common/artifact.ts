import { z } from 'zod';
import { describeValue } from './zod-messages.js';

/**
 * A small reference to bytes stored content-addressed in MinIO. Workflows only ever hold these,
 * never the bytes themselves.
 */
export const ArtifactRefSchema = z.object(
  {
    /** s3://<bucket>/cas/sha256/<hash> */
    uri: z.string().regex(/^s3:\/\/[^/]+\/.+/, 'artifact uri must look like s3://bucket/key'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
    size: z.number().int().nonnegative(),
    /** Human name: the output name, or the file name it was uploaded from. */
    name: z.string().min(1),
    /** `file` for a single file, `dir` for a directory stored as a deterministic tar. */
    kind: z.enum(['file', 'dir']).default('file'),
  },
  {
    error: (iss) =>
      iss.code === 'invalid_type'
        ? `expected a stored artifact ref { uri, sha256, size, name }, got ${describeValue(iss.input)} (local files, { path: ./file }, are uploaded by the CLI and the client helpers before the start)`
        : undefined,
  },
);

export type ArtifactRef = z.output<typeof ArtifactRefSchema>;

/** The object key under which bytes with this hash live. */
export function casKey(sha256: string): string {
  return `cas/sha256/${sha256.slice(0, 2)}/${sha256}`;
}

export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new TypeError(`not an s3:// URI: ${uri}`);
  return { bucket: m[1]!, key: m[2]! };
}
