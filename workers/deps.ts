import { join } from 'node:path';
import pino from 'pino';
import type { TidemarkConfig } from '../common/config';
import { ENV } from '../common/env';
import { createMinioClient } from '../activities/artifacts/minio-client';
import { MinioArtifactStore } from '../activities/artifacts/minio-store';
import { DockerBackend } from '../activities/containers/docker-backend';
import type { ContainerBackend } from '../activities/containers/container-backend';
import type { TidemarkDeps } from '../activities/deps';
import { DeferredCleanup } from '../activities/steps/deferred-cleanup';
import { MlflowClient } from '../activities/tracking/mlflow-client';
import { stackPaths } from '../scripts/stack/paths';

/** Logger with secrets redacted wherever they could appear. */
export function createLogger(name = 'tidemark'): pino.Logger {
  return pino({
    name,
    level: process.env[ENV.logLevel] ?? 'info',
    redact: { paths: ['*.secretKey', '*.secret', '*.password', '*.AWS_SECRET_ACCESS_KEY', '*.env.AWS_SECRET_ACCESS_KEY'], censor: '[redacted]' },
  });
}

function createContainerBackend(config: TidemarkConfig): ContainerBackend {
  if (config.containers.backend === 'kubernetes') {
    throw new TypeError(`containers.backend "kubernetes" is not available in this build yet. Fix: set ${ENV.containerBackend}=docker (the default).`);
  }
  return DockerBackend.fromSocket(config.containers.dockerSocket);
}

/** Builds the activities' dependencies from the config; `overrides` replace any of them. */
export function createDeps(config: TidemarkConfig, overrides: Partial<TidemarkDeps> = {}): TidemarkDeps {
  const workDir = overrides.workDir ?? join(stackPaths().stateDir, 'work');
  const logger = overrides.logger ?? createLogger();
  return {
    config,
    workDir,
    logger,
    cleanup: overrides.cleanup ?? new DeferredCleanup(logger),
    store: overrides.store ?? new MinioArtifactStore(createMinioClient(config.minio), config.minio.bucket, join(workDir, 'scratch')),
    containers: overrides.containers ?? createContainerBackend(config),
    mlflow: overrides.mlflow ?? new MlflowClient(config.mlflow.trackingUri),
  };
}
