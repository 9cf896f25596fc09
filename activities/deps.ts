import type { Logger } from 'pino';
import type { TidemarkConfig } from '../common/config';
import type { ArtifactStore } from './artifacts/artifact-store';
import type { ContainerBackend } from './containers/container-backend';
import type { DeferredCleanup } from './steps/deferred-cleanup';
import type { MlflowClient } from './tracking/mlflow-client';

/** Everything Tidemark's activities touch the world through; built once by the worker. */
export interface TidemarkDeps {
  config: TidemarkConfig;
  store: ArtifactStore;
  containers: ContainerBackend;
  mlflow: MlflowClient;
  logger: Logger;
  /** Host folder for per-step input and output folders (bind-mounted into containers). */
  workDir: string;
  /** Clean-up that runs after an activity returns (finished steps' containers and folders). */
  cleanup: DeferredCleanup;
}
