import type { Logger } from 'pino';
import type { TidemarkConfig } from '../common/config.js';
import type { ArtifactStore } from '../lib/artifacts/artifact-store.js';
import type { ContainerBackend } from '../lib/containers/container-backend.js';
import type { StepStaging } from '../lib/containers/step-staging.js';
import type { DeferredCleanup } from './steps/deferred-cleanup.js';
import type { MlflowClient } from '../lib/mlflow/mlflow-client.js';
import type { ServingDeps } from './serving/serving-deps.js';

/** Everything Tidemark's activities touch the world through; built once by the worker. */
export interface TidemarkDeps {
  config: TidemarkConfig;
  store: ArtifactStore;
  containers: ContainerBackend;
  /** Where steps' /inputs and /outputs live, chosen with the container backend. */
  staging: StepStaging;
  mlflow: MlflowClient;
  logger: Logger;
  /** Host folder for per-step input and output folders (bind-mounted into containers). */
  workDir: string;
  /** Clean-up that runs after an activity returns (finished steps' containers and folders). */
  cleanup: DeferredCleanup;
  /** Model servers, their proxies and samplers (the deployment workflow's activities). */
  serving: ServingDeps;
}
