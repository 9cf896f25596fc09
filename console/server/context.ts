import type { Client } from '@temporalio/client';
import type { Client as MinioClient } from 'minio';
import type { TidemarkConfig } from '../../common/config.js';
import { connectClient } from '../../client/client.js';
import { createMinioClient } from '../../lib/artifacts/minio-client.js';
import { MlflowClient } from '../../lib/mlflow/mlflow-client.js';

/**
 * What the console's routes read and act through, built from the worker-side config: a Temporal
 * client (connected on first use and again after a failure, so the console starts, and says so,
 * while Temporal is down), MinIO and MLflow. Credentials stay here; routes send the browser data
 * and links only.
 */
export class ConsoleContext {
  private client?: Promise<Client>;
  readonly minio: MinioClient;
  readonly mlflow: MlflowClient;

  private constructor(readonly config: TidemarkConfig) {
    this.minio = createMinioClient(config.minio);
    this.mlflow = new MlflowClient(config.mlflow.trackingUri, 5000);
  }

  static create(config: TidemarkConfig): ConsoleContext {
    return new ConsoleContext(config);
  }

  temporal(): Promise<Client> {
    this.client ??= connectClient(this.config).catch((err: unknown) => {
      this.client = undefined;
      throw err;
    });
    return this.client;
  }

  /** The Temporal Web UI page of a workflow run. */
  temporalUrl(workflowId: string, runId?: string): string {
    const { uiUrl, namespace } = this.config.temporal;
    const base = `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
    return runId ? `${base}/${encodeURIComponent(runId)}/history` : base;
  }

  async close(): Promise<void> {
    const client = await this.client?.catch(() => undefined);
    await client?.connection.close();
  }
}
