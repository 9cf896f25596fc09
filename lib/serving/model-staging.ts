import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Client } from 'minio';
import { parseS3Uri } from '../../common/artifact.js';

/**
 * Copies an MLflow Model folder (every object under an s3:// prefix) to a local folder once, and
 * returns that folder. The folder is named by the source, and written beside it and renamed when
 * complete, so a crash mid-download leaves nothing that looks finished.
 */
export async function stageModelFolder(minio: Client, source: string, root: string): Promise<string> {
  const dest = join(root, createHash('sha256').update(source).digest('hex').slice(0, 24));
  if (existsSync(join(dest, 'MLmodel'))) return dest;
  const { bucket, key } = parseS3Uri(source.replace(/\/$/, ''));
  const prefix = `${key}/`;
  const tmp = `${dest}.${randomUUID().slice(0, 8)}.part`;
  try {
    let count = 0;
    for await (const o of minio.listObjectsV2(bucket, prefix, true)) {
      const name = (o as { name?: string }).name;
      if (!name) continue;
      const rel = name.slice(prefix.length);
      if (!rel || rel.split('/').some((p) => p === '..' || p === '')) continue;
      await mkdir(dirname(join(tmp, rel)), { recursive: true });
      await minio.fGetObject(bucket, name, join(tmp, rel));
      count++;
    }
    if (count === 0) throw new Error(`no files under ${source}`);
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
    return dest;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
