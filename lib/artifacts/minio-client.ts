import { Client } from 'minio';
import type { TidemarkConfig } from '../../common/config.js';

/** A MinIO client for the configured endpoint. */
export function createMinioClient(minio: TidemarkConfig['minio']): Client {
  const url = new URL(minio.endpoint);
  const useSSL = url.protocol === 'https:';
  return new Client({
    endPoint: url.hostname,
    port: Number(url.port || (useSSL ? 443 : 80)),
    useSSL,
    accessKey: minio.accessKey,
    secretKey: minio.secretKey,
    region: 'us-east-1',
  });
}

/** Creates each bucket that does not exist yet. */
export async function ensureBuckets(client: Client, buckets: string[]): Promise<void> {
  for (const bucket of buckets) {
    if (!(await client.bucketExists(bucket))) {
      try {
        await client.makeBucket(bucket, 'us-east-1');
      } catch (err) {
        if (!(await client.bucketExists(bucket))) throw err;
      }
    }
  }
}
