/** What a deployment's sampler process is started with (a JSON file; the MinIO secret comes by environment). */
export interface SamplerConfig {
  deploymentId: string;
  /** UDP port HAProxy sends its request log to. */
  logPort: number;
  /** HTTP port of the sampler's /metrics. */
  metricsPort: number;
  spoolDir: string;
  batchRows: number;
  batchMs: number;
  minio: { endpoint: string; accessKey: string; bucket: string };
  /** Object key prefix of the live batches. */
  prefix: string;
  /** Where each batch goes, when the deployment has a monitor. */
  monitor?: { temporalAddress: string; namespace: string; workflowId: string };
}
