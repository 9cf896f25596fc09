import type { DeploymentStatus } from './serving.js';
import type { ArtifactRef } from './artifact.js';
import type { GivenLabel, PendingSample, RoundSummary } from './labeling.js';
import type { PendingBatch, SessionStatus, SubmitLabelsResult } from './labeling-messages.js';
import type { PipelineStatus } from './messages.js';

/**
 * What the console's server answers its browser pages with (`/api/...`): data and links only,
 * never a credential. Shared by console/server and console/web.
 */

/** Links and settings a page needs; no secrets. */
export interface ConsoleInfo {
  namespace: string;
  temporalUiUrl: string;
  mlflowUrl: string;
  minioConsoleUrl: string;
  prometheusUrl: string;
  /** Whether the `deployment` workflow (model serving) exists in this build. */
  serving: boolean;
}

/** A running deployment: its status query's answer, or why it did not answer. */
export interface ServingRow {
  workflowId: string;
  temporalUrl: string;
  status?: DeploymentStatus;
  error?: string;
}

/** The DAG a pipeline run keeps in its memo. */
export interface DagMemo {
  name: string;
  nodes: { id: string; kind: 'container' | 'check' | 'pipeline'; image?: string; map?: boolean; when?: string }[];
  edges: [string, string][];
  /** A pipeline too large to draw keeps no nodes: how many steps it has. */
  omitted?: number;
}

/** One pipeline run in the list, from Temporal's visibility (search attributes and memo). */
export interface PipelineRow {
  workflowId: string;
  runId: string;
  name?: string;
  /** PipelineStatus: running, succeeded, failed, cancelled. */
  status?: string;
  currentStep?: string;
  /** Temporal's execution status (RUNNING, COMPLETED, FAILED, TERMINATED, …). */
  execution: string;
  startTime: string;
  closeTime?: string;
  driftAlarm?: boolean;
  steps?: number;
  checks?: number;
  temporalUrl: string;
}

export interface PipelineRunView {
  workflowId: string;
  runId: string;
  execution: string;
  startTime: string;
  closeTime?: string;
  status?: PipelineStatus;
  /** Why the `status` query could not be answered (a spec that failed validation, a worker that is down). */
  statusError?: string;
  /** The workflow's failure message, when it failed. */
  failure?: string;
  dag?: DagMemo;
  temporalUrl: string;
  mlflowRunUrl?: string;
  mlflowExperimentUrl?: string;
  /** The pipeline that started this one (a nested step or a labeling round), if any. */
  parentWorkflowId?: string;
}

export interface StepLogView {
  stepKey: string;
  /** `running`: the latest lines from the step's heartbeat; `log`: the tail of its stored log. */
  source: 'running' | 'log' | 'none';
  lines: string[];
  /** The log has more lines before these. */
  truncated: boolean;
  /** The whole log, for download (a finished step's). */
  log?: ArtifactRef;
}

export interface LabelingRow {
  workflowId: string;
  runId: string;
  name?: string;
  status?: string;
  round?: number;
  pending?: number;
  deadline?: string;
  reminders?: number;
  startTime: string;
  temporalUrl: string;
}

/** The typical values of each feature in the session's labeled set, shown beside a tabular sample. */
export interface ReferenceProfile {
  /** Rows of the labeled set the figures come from. */
  rows: number;
  labelColumn: string;
  columns: { name: string; median: number; p25: number; p75: number; byLabel: Record<string, number> }[];
}

/** A pending sample as the browser gets it: previews are console URLs, never presigned ones. */
export type ConsoleSample = PendingSample;

export interface LabelingView {
  workflowId: string;
  runId: string;
  pending: PendingBatch;
  session: SessionStatus;
  labels: Record<string, GivenLabel>;
  reference?: ReferenceProfile;
  temporalUrl: string;
}

/** What a submission through the console did: the update's verdict, or the reason it was refused as a whole. */
export interface SubmitAnswer {
  verdict: SubmitLabelsResult;
  /** Set when the session refused the whole submission (nothing acceptable, or the round closed). */
  refused?: string;
}

/** A checker report (the `report` output of a check step or a monitor's batch) and its plot. */
export interface CheckReportView {
  report: {
    plugin: string;
    /** `ok`, `alarm` or `insufficient-data`; absent in reports of older checkers. */
    status?: 'ok' | 'alarm' | 'insufficient-data';
    alarm: boolean;
    score: number;
    threshold: number;
    pValue?: number;
    perFeature?: { name: string; score: number; pValue?: number; alarm?: boolean; test?: string }[];
    details: Record<string, unknown>;
  };
  /** The vega-lite spec the checker's plot is drawn from, when the report has a histogram. */
  plotSpec?: Record<string, unknown>;
}

export interface MonitorReportView {
  batch: ArtifactRef;
  at: number;
  alarm: boolean;
  checks: { plugin: string; alarm: boolean; score: number; threshold: number; pValue?: number; report: ArtifactRef }[];
}

export interface MonitorRow {
  workflowId: string;
  runId: string;
  execution: string;
  driftAlarm?: boolean;
  startTime: string;
  temporalUrl: string;
}

export interface MonitorView {
  workflowId: string;
  checked: number;
  reports: MonitorReportView[];
  temporalUrl: string;
}

/** A series of [epoch seconds, value] points from Prometheus. */
export type MetricSeries = { label: string; points: [number, number][] }[];

export interface MetricsView {
  prometheus: { url: string; up: boolean; error?: string };
  /** Range queries over the last `rangeMinutes`, when Prometheus answers. */
  rangeMinutes: number;
  charts: { id: string; title: string; unit: string; series: MetricSeries }[];
  /** The worker's own counters, read from its metrics endpoint, when Prometheus does not answer. */
  worker?: { address: string; up: boolean; error?: string; samples: { name: string; labels: string; value: number }[] };
}

export type { RoundSummary };
