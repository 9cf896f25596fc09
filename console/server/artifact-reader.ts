import type { Readable } from 'node:stream';
import { casKey, type ArtifactRef } from '../../common/artifact.js';
import type { ConsoleContext } from './context.js';
import { BadRequestError, NotFoundError } from './errors.js';

/** A log's last bytes that the console shows; the whole log is one click away. */
const LOG_TAIL_BYTES = 64 * 1024;
const LOG_TAIL_LINES = 400;
/** JSON reports (checker reports, stored batches) are read whole up to this size. */
const MAX_JSON_BYTES = 32 * 1024 * 1024;

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Reads content-addressed artifacts out of the artifact bucket for the console. Only `cas/`
 * objects named by their sha256 are reachable, so the console can hand the browser a URL for an
 * artifact without exposing the bucket (or a presigned URL) to it.
 */
export function artifactKey(sha256: string): string {
  if (!SHA256.test(sha256)) throw new BadRequestError(`"${sha256}" is not a sha256 (64 lowercase hex digits)`);
  return casKey(sha256);
}

export async function openArtifact(ctx: ConsoleContext, sha256: string): Promise<{ size: number; stream: Readable }> {
  const key = artifactKey(sha256);
  const bucket = ctx.config.minio.bucket;
  const stat = await ctx.minio.statObject(bucket, key).catch(() => {
    throw new NotFoundError(`artifact ${sha256} is not in bucket ${bucket}`);
  });
  return { size: stat.size, stream: await ctx.minio.getObject(bucket, key) };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The last lines of a log artifact. */
export async function readLogTail(
  ctx: ConsoleContext,
  ref: ArtifactRef,
): Promise<{ lines: string[]; truncated: boolean }> {
  const key = artifactKey(ref.sha256);
  const offset = Math.max(0, ref.size - LOG_TAIL_BYTES);
  const stream =
    offset > 0
      ? await ctx.minio.getPartialObject(ctx.config.minio.bucket, key, offset)
      : await ctx.minio.getObject(ctx.config.minio.bucket, key);
  const text = (await readAll(stream)).toString('utf8');
  let lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (offset > 0) lines = lines.slice(1); // the first line was cut
  const truncated = offset > 0 || lines.length > LOG_TAIL_LINES;
  return { lines: lines.slice(-LOG_TAIL_LINES), truncated };
}

/** A JSON artifact (a checker report), parsed. */
export async function readJsonArtifact<T>(ctx: ConsoleContext, sha256: string): Promise<T> {
  const { size, stream } = await openArtifact(ctx, sha256);
  if (size > MAX_JSON_BYTES) {
    stream.destroy();
    throw new BadRequestError(`artifact ${sha256} holds ${size} bytes; the console reads JSON up to ${MAX_JSON_BYTES}`);
  }
  return JSON.parse((await readAll(stream)).toString('utf8')) as T;
}

/** A small artifact's bytes. */
export async function readArtifactBytes(ctx: ConsoleContext, sha256: string, maxBytes: number): Promise<Buffer> {
  const { size, stream } = await openArtifact(ctx, sha256);
  if (size > maxBytes) {
    stream.destroy();
    throw new BadRequestError(`artifact ${sha256} holds ${size} bytes; the console reads up to ${maxBytes} here`);
  }
  return readAll(stream);
}
