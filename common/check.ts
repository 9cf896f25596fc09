import type { ArtifactRef } from './artifact.js';

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

/** The small part of a checker report a workflow keeps: the verdict and the rows worth labelling. */
export interface CheckSummary {
  plugin: string;
  alarm: boolean;
  /** `ok`, `alarm`, or `insufficient-data` (too few rows for a verdict); absent in older results. */
  status?: 'ok' | 'alarm' | 'insufficient-data';
  score: number;
  threshold: number;
  pValue?: number;
  /** Row indices of the most anomalous batch rows, most anomalous first (for active learning). */
  topAnomalies?: number[];
}

export interface CheckBatchResult extends CheckSummary {
  report: ArtifactRef;
  state?: ArtifactRef;
  plot?: { svg: ArtifactRef; png: ArtifactRef };
}
