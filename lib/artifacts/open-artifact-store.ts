import { join } from 'node:path';
import type { TidemarkConfig } from '../../common/config.js';
import type { ArtifactStore } from './artifact-store.js';
import { createMinioClient } from './minio-client.js';
import { MinioArtifactStore } from './minio-store.js';

/**
 * The artifact store the config names (MinIO over S3), with its scratch folder for partial
 * downloads under the state folder: `<state>/<scratch>` (the worker uses `scratch`, the CLI
 * `cli-scratch`, so the two never share partial files).
 */
export function openArtifactStore(config: TidemarkConfig, scratch = 'cli-scratch'): ArtifactStore {
  return new MinioArtifactStore(createMinioClient(config.minio), config.minio.bucket, join(config.state.dir, scratch));
}
