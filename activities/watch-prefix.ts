import { createHash } from 'node:crypto';
import type { Client } from 'minio';
import type { ArtifactRef } from '../common/artifact.js';
import type { TidemarkDeps } from './deps.js';

export interface ScanPrefixInput {
  bucket: string;
  prefix: string;
  /** Whose record of seen objects to use (the monitor's workflow id). */
  watcher: string;
}

function seenKey(watcher: string): string {
  return `watchers/${createHash('sha256').update(watcher).digest('hex').slice(0, 24)}.json`;
}

/**
 * Lists the objects under a MinIO prefix that this watcher has not seen yet and returns refs to
 * them (hashed by streaming, not copied). `markSeen` records them once the monitor has them.
 */
export function createWatchActivities(deps: TidemarkDeps, minio: Client) {
  return {
    async scanPrefix(input: ScanPrefixInput): Promise<ArtifactRef[]> {
      const seen = new Set((await deps.store.readIndex<string[]>(seenKey(input.watcher))) ?? []);
      const found: { name: string; size: number; etag: string }[] = [];
      for await (const o of minio.listObjectsV2(input.bucket, input.prefix, true)) {
        const obj = o as { name?: string; size: number; etag?: string };
        if (obj.name && !seen.has(`${obj.name}@${obj.etag}`))
          found.push({ name: obj.name, size: obj.size, etag: obj.etag ?? '' });
      }
      found.sort((a, b) => (a.name < b.name ? -1 : 1));
      const refs: ArtifactRef[] = [];
      for (const f of found) {
        const hash = createHash('sha256');
        for await (const chunk of await minio.getObject(input.bucket, f.name)) hash.update(chunk as Buffer);
        refs.push({
          uri: `s3://${input.bucket}/${f.name}`,
          sha256: hash.digest('hex'),
          size: f.size,
          name: `${f.name.split('/').pop()}`,
          kind: 'file',
        });
      }
      return refs;
    },

    async markSeen(input: { watcher: string; bucket: string; objects: ArtifactRef[] }): Promise<void> {
      const seen = new Set((await deps.store.readIndex<string[]>(seenKey(input.watcher))) ?? []);
      for (const ref of input.objects) {
        const key = ref.uri.replace(`s3://${input.bucket}/`, '');
        const stat = await minio.statObject(input.bucket, key);
        seen.add(`${key}@${stat.etag}`);
      }
      await deps.store.writeIndex(seenKey(input.watcher), [...seen]);
    },
  };
}
