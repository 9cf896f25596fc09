import { join } from 'node:path';
import pino from 'pino';
import type { TidemarkConfig } from '../common/config.js';
import { ENV } from '../common/env.js';
import { HostFolderStaging } from '../lib/containers/host-folder-staging.js';
import { openArtifactStore } from '../lib/artifacts/open-artifact-store.js';
import { DockerBackend } from '../lib/containers/docker-backend.js';
import type { ContainerBackend } from '../lib/containers/container-backend.js';
import type { TidemarkDeps } from '../activities/deps.js';
import { DeferredCleanup } from '../activities/steps/deferred-cleanup.js';
import { MlflowClient } from '../lib/mlflow/mlflow-client.js';
import type { ArtifactStore } from '../lib/artifacts/artifact-store.js';
import type { StepStaging } from '../lib/containers/step-staging.js';
import { KubernetesBackend } from '../lib/kubernetes/kubernetes-backend.js';
import { KubernetesStaging } from '../lib/kubernetes/kubernetes-staging.js';
import { createServingDeps } from '../activities/serving/serving-deps.js';
import { DockerServingBackend } from '../lib/serving/docker-serving-backend.js';
import type { ServingBackend } from '../lib/serving/serving-backend.js';
import { KubernetesServingBackend } from '../lib/kubernetes/kubernetes-serving-backend.js';
import { stageModelFolder } from '../lib/serving/model-staging.js';
import { createMinioClient } from '../lib/artifacts/minio-client.js';

/** Logger with secrets redacted wherever they could appear. */
export function createLogger(name = 'tidemark'): pino.Logger {
  return pino({
    name,
    level: process.env[ENV.logLevel] ?? 'info',
    redact: {
      paths: ['*.secretKey', '*.secret', '*.password', '*.AWS_SECRET_ACCESS_KEY', '*.env.AWS_SECRET_ACCESS_KEY'],
      censor: '[redacted]',
    },
  });
}

function createContainerBackend(config: TidemarkConfig): ContainerBackend {
  if (config.containers.backend === 'kubernetes') return new KubernetesBackend(config);
  return DockerBackend.fromSocket(config.containers.dockerSocket);
}

/** Where steps' bytes are staged: a bind-mounted host folder for Docker, inside the pod on Kubernetes. */
function createStaging(config: TidemarkConfig, store: ArtifactStore, workDir: string): StepStaging {
  if (config.containers.backend === 'kubernetes')
    return new KubernetesStaging(store, config, join(workDir, 'kube-logs'));
  return new HostFolderStaging(store, workDir);
}

/**
 * Where model servers run, with the container backend: Docker containers on the host network, or
 * a Deployment and a Service per version on Kubernetes. Either stages the MLflow Model folder from
 * MinIO once; the Kubernetes pods then download it from the content-addressed store.
 */
function createServingBackend(config: TidemarkConfig, store: ArtifactStore): ServingBackend {
  let minio: ReturnType<typeof createMinioClient> | undefined;
  const modelsDir = join(config.state.dir, 'serving', 'models');
  const stage = (source: string) => stageModelFolder((minio ??= createMinioClient(config.minio)), source, modelsDir);
  if (config.containers.backend === 'kubernetes')
    return new KubernetesServingBackend(config, async (source) => store.put(await stage(source), 'model'));
  return DockerServingBackend.fromSocket(config.containers.dockerSocket, stage);
}

/** Builds the activities' dependencies from the config; `overrides` replace any of them. */
export function createDeps(config: TidemarkConfig, overrides: Partial<TidemarkDeps> = {}): TidemarkDeps {
  const workDir = overrides.workDir ?? join(config.state.dir, 'work');
  const logger = overrides.logger ?? createLogger();
  const store = overrides.store ?? openArtifactStore(config, 'scratch');
  return {
    config,
    workDir,
    logger,
    cleanup: overrides.cleanup ?? new DeferredCleanup(logger),
    store,
    containers: overrides.containers ?? createContainerBackend(config),
    staging: overrides.staging ?? createStaging(config, store, workDir),
    mlflow: overrides.mlflow ?? new MlflowClient(config.mlflow.trackingUri),
    serving: overrides.serving ?? createServingDeps(config, createServingBackend(config, store)),
  };
}
