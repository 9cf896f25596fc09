import type { Logger } from 'pino';
import type { ArtifactRef } from '../../common/artifact.js';
import type { CheckSummary } from '../../common/check.js';
import type { CheckerRegistry } from '../../plugins/registry.js';
import type { TidemarkDeps } from '../deps.js';

/** What the check functions need: any TidemarkDeps will do. */
export type CheckerDeps = Pick<TidemarkDeps, 'store' | 'containers' | 'workDir'> & {
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Where plugin names are looked up (default: the built-ins, paths and packages from the cwd). */
  registry?: CheckerRegistry;
  /** Called now and then during long fits and checks (an activity heartbeats here). */
  heartbeat?: (details: { rows: number }) => void;
  signal?: AbortSignal;
};

export interface FitCheckerInput {
  /** Built-in name, registered name, path, `npm:package` or `image:repo:tag`. */
  plugin: string;
  /** The plugin's config; any ArtifactRef inside (such as a model) is downloaded and replaced by its local path. */
  config?: Record<string, unknown>;
  reference: ArtifactRef;
  /** Deterministic container name for container plugins (from the workflow id, run id and step). */
  containerName?: string;
  /** The step this fit is for: errors name the data as the user knows it (`reference "x.csv" of step "drift"`). */
  stepKey?: string;
}

export interface FitCheckerResult {
  /** A `dir` artifact: state.json and binary parts (or what a container plugin wrote to /outputs/state). */
  state: ArtifactRef;
  plugin: string;
  version: string;
}

export interface RunCheckerInput {
  plugin: string;
  config?: Record<string, unknown>;
  batch: ArtifactRef;
  reference?: ArtifactRef;
  /** The state fitChecker returned; required by plugins that fit. */
  state?: ArtifactRef;
  /** Render the report's histogram plot as SVG and PNG when the report has one (default true). */
  plot?: boolean;
  containerName?: string;
  /** The step this check is for (named in errors). */
  stepKey?: string;
}

export type { CheckSummary } from '../../common/check.js';

export interface RunCheckerResult {
  /** The full report as JSON. */
  report: ArtifactRef;
  summary: CheckSummary;
  plot?: { svg: ArtifactRef; png: ArtifactRef };
}
