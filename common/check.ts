import type { ArtifactRef } from './artifact';

/** What the workflow hands the `checkBatch` activity. */
export interface CheckBatchInput {
  stepKey: string;
  /** Built-in name, registered name, path, `npm:package` or `image:repo:tag`. */
  plugin: string;
  config: Record<string, unknown>;
  batch: ArtifactRef;
  reference?: ArtifactRef;
  /** A state fitted earlier; when missing and a reference is given, the plugin is fitted first. */
  state?: ArtifactRef;
}

export interface CheckBatchResult {
  plugin: string;
  alarm: boolean;
  score: number;
  threshold: number;
  pValue?: number;
  topAnomalies?: number[];
  report: ArtifactRef;
  state?: ArtifactRef;
  plot?: { svg: ArtifactRef; png: ArtifactRef };
}
