/**
 * A small typed client for MLflow's REST API (2.0 endpoints). No well-kept TypeScript client
 * exists for the tracking server, so this covers what Tidemark uses: experiments, runs,
 * batched logging, tags, artifact listing and the model registry.
 */

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step?: number;
}
export interface MlflowParam {
  key: string;
  value: string;
}
export interface MlflowTag {
  key: string;
  value: string;
}

export interface MlflowRun {
  info: {
    run_id: string;
    experiment_id: string;
    run_name?: string;
    status: RunStatus;
    start_time?: number;
    end_time?: number;
    artifact_uri: string;
    lifecycle_stage: string;
  };
  data: { metrics?: MlflowMetric[]; params?: MlflowParam[]; tags?: MlflowTag[] };
}

export interface MlflowFileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** A run recorded after it ended, in full: what runs/create, runs/log-batch and runs/update would record. */
export interface FinishedRun {
  runName: string;
  startTime: number;
  endTime: number;
  status: Exclude<RunStatus, 'RUNNING' | 'SCHEDULED'>;
  tags: Record<string, string>;
  params: MlflowParam[];
  metrics: MlflowMetric[];
}

/** Tidemark's bulk endpoint for finished runs (scripts/stack/mlflow-server/tidemark_runs.py), where the server has it. */
const RECORD_FINISHED_PATH = 'tidemark/api/1/runs/record-finished';
/** Runs per request to it (the endpoint takes up to 100). */
const RECORD_FINISHED_CHUNK = 50;

/** Thrown when MLflow answers with an error; `code` is MLflow's error_code (e.g. RESOURCE_DOES_NOT_EXIST). */
export class MlflowError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`MLflow ${status} ${code}: ${message}`);
    this.name = 'MlflowError';
  }
}

/** MLflow's limits for one log-batch call. */
export const LOG_BATCH_LIMITS = { metrics: 1000, params: 100, tags: 100, total: 1000 } as const;

export class MlflowClient {
  /** Whether the server has Tidemark's bulk endpoint: unknown until the first try. */
  private recordsFinished?: boolean;

  constructor(
    readonly trackingUri: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let url = `${this.trackingUri.replace(/\/$/, '')}/${path.startsWith('tidemark/') ? '' : 'api/2.0/mlflow/'}${path}`;
    const init: RequestInit = {
      method,
      signal: AbortSignal.timeout(this.timeoutMs),
      headers: { 'content-type': 'application/json' },
    };
    if (body !== undefined) {
      if (method === 'GET')
        url += `?${new URLSearchParams(
          Object.entries(body as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .map(([k, v]): [string, string] => [k, String(v)]),
        )}`;
      else init.body = JSON.stringify(body);
    }
    const res = await fetch(url, init);
    const text = await res.text();
    if (!res.ok) {
      let code = 'HTTP_ERROR';
      let message = text.slice(0, 500);
      try {
        const err = JSON.parse(text) as { error_code?: string; message?: string };
        code = err.error_code ?? code;
        message = err.message ?? message;
      } catch {
        /* not JSON */
      }
      throw new MlflowError(res.status, code, message);
    }
    return (text ? JSON.parse(text) : {}) as T;
  }

  async getExperimentByName(name: string): Promise<string | undefined> {
    return (await this.experimentByName(name))?.experiment_id;
  }

  private async experimentByName(name: string): Promise<{ experiment_id: string; tags?: MlflowTag[] } | undefined> {
    try {
      const r = await this.call<{ experiment: { experiment_id: string; tags?: MlflowTag[] } }>(
        'GET',
        'experiments/get-by-name',
        { experiment_name: name },
      );
      return r.experiment;
    } catch (err) {
      if (err instanceof MlflowError && err.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  /**
   * The id of the experiment called `name`, created with `tags` if missing (safe against a
   * concurrent create); an existing one gets those of `tags` it lacks (an experiment made by an
   * older release).
   */
  async ensureExperiment(name: string, tags: Record<string, string> = {}): Promise<string> {
    const existing = await this.experimentByName(name);
    if (existing) {
      const has = new Map((existing.tags ?? []).map((t) => [t.key, t.value]));
      for (const [key, value] of Object.entries(tags))
        if (!has.has(key))
          await this.call('POST', 'experiments/set-experiment-tag', {
            experiment_id: existing.experiment_id,
            key,
            value,
          });
      return existing.experiment_id;
    }
    try {
      const r = await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name, tags: toTags(tags) });
      return r.experiment_id;
    } catch (err) {
      if (err instanceof MlflowError && err.code === 'RESOURCE_ALREADY_EXISTS')
        return (await this.getExperimentByName(name))!;
      throw err;
    }
  }

  async createRun(opts: {
    experimentId: string;
    runName?: string;
    startTime?: number;
    tags?: Record<string, string>;
  }): Promise<MlflowRun> {
    const r = await this.call<{ run: MlflowRun }>('POST', 'runs/create', {
      experiment_id: opts.experimentId,
      run_name: opts.runName,
      start_time: opts.startTime ?? Date.now(),
      tags: toTags(opts.tags ?? {}),
    });
    return r.run;
  }

  async getRun(runId: string): Promise<MlflowRun> {
    return (await this.call<{ run: MlflowRun }>('GET', 'runs/get', { run_id: runId })).run;
  }

  async updateRun(runId: string, status: RunStatus, endTime?: number): Promise<void> {
    await this.call('POST', 'runs/update', {
      run_id: runId,
      status,
      end_time: endTime ?? (status === 'RUNNING' ? undefined : Date.now()),
    });
  }

  async searchRuns(opts: {
    experimentIds: string[];
    filter?: string;
    maxResults?: number;
    orderBy?: string[];
  }): Promise<MlflowRun[]> {
    const runs: MlflowRun[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.call<{ runs?: MlflowRun[]; next_page_token?: string }>('POST', 'runs/search', {
        experiment_ids: opts.experimentIds,
        filter: opts.filter,
        max_results: opts.maxResults ?? 1000,
        order_by: opts.orderBy,
        page_token: pageToken,
      });
      runs.push(...(r.runs ?? []));
      pageToken = r.next_page_token;
    } while (pageToken && (opts.maxResults === undefined || runs.length < opts.maxResults));
    return runs;
  }

  /** Logs metrics, params and tags, split into as many calls as MLflow's per-call limits need. */
  async logBatch(
    runId: string,
    batch: { metrics?: MlflowMetric[]; params?: MlflowParam[]; tags?: MlflowTag[] },
  ): Promise<void> {
    const metrics = [...(batch.metrics ?? [])];
    const params = [...(batch.params ?? [])];
    const tags = [...(batch.tags ?? [])];
    while (metrics.length || params.length || tags.length) {
      const p = params.splice(0, LOG_BATCH_LIMITS.params);
      const t = tags.splice(0, LOG_BATCH_LIMITS.tags);
      const m = metrics.splice(0, LOG_BATCH_LIMITS.total - p.length - t.length);
      await this.call('POST', 'runs/log-batch', { run_id: runId, metrics: m, params: p, tags: t });
    }
  }

  /** Whether runs within these limits can go to recordFinishedRuns. */
  static fitsOneRecord(run: Pick<FinishedRun, 'tags' | 'params' | 'metrics'>): boolean {
    const tags = Object.keys(run.tags).length + 1; // + mlflow.runName
    return (
      tags <= LOG_BATCH_LIMITS.tags &&
      run.params.length <= LOG_BATCH_LIMITS.params &&
      run.metrics.length + run.params.length + tags <= LOG_BATCH_LIMITS.total
    );
  }

  /**
   * Records finished runs of one experiment through Tidemark's bulk endpoint, in one request per
   * 50 runs, each request all or none. Returns each run's id and artifact URI in order, or
   * undefined when the server has no such endpoint (any MLflow server but the stack's own): use
   * createRun, logBatch and updateRun then.
   */
  async recordFinishedRuns(
    experimentId: string,
    runs: FinishedRun[],
  ): Promise<{ runId: string; artifactUri: string }[] | undefined> {
    if (this.recordsFinished === false) return undefined;
    const recorded: { runId: string; artifactUri: string }[] = [];
    for (let i = 0; i < runs.length; i += RECORD_FINISHED_CHUNK) {
      try {
        const r = await this.call<{ runs: { run_id: string; artifact_uri: string }[] }>('POST', RECORD_FINISHED_PATH, {
          experiment_id: experimentId,
          runs: runs.slice(i, i + RECORD_FINISHED_CHUNK).map((run) => ({
            run_name: run.runName,
            start_time: run.startTime,
            end_time: run.endTime,
            status: run.status,
            tags: toTags(run.tags),
            params: run.params,
            metrics: run.metrics,
          })),
        });
        this.recordsFinished = true;
        recorded.push(...r.runs.map((run) => ({ runId: run.run_id, artifactUri: run.artifact_uri })));
      } catch (err) {
        // No such route (404 without MLflow's error JSON), or a store the endpoint cannot write (501).
        if (err instanceof MlflowError && ((err.status === 404 && err.code === 'HTTP_ERROR') || err.status === 501)) {
          this.recordsFinished = false;
          return undefined;
        }
        throw err;
      }
    }
    return recorded;
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'runs/set-tag', { run_id: runId, key, value });
  }

  /** Every logged value of one metric (one per step for metrics logged per round or epoch). */
  async metricHistory(runId: string, key: string): Promise<MlflowMetric[]> {
    const r = await this.call<{ metrics?: MlflowMetric[] }>('GET', 'metrics/get-history', {
      run_id: runId,
      metric_key: key,
    });
    return (r.metrics ?? []).map((m) => ({ ...m, step: Number(m.step ?? 0) }));
  }

  async listArtifacts(runId: string, path?: string): Promise<MlflowFileInfo[]> {
    const r = await this.call<{ files?: MlflowFileInfo[] }>('GET', 'artifacts/list', { run_id: runId, path });
    return r.files ?? [];
  }

  async createRegisteredModel(name: string): Promise<void> {
    try {
      await this.call('POST', 'registered-models/create', { name });
    } catch (err) {
      if (!(err instanceof MlflowError && err.code === 'RESOURCE_ALREADY_EXISTS')) throw err;
    }
  }

  async createModelVersion(opts: {
    name: string;
    source: string;
    runId?: string;
    tags?: Record<string, string>;
  }): Promise<{ version: string }> {
    const r = await this.call<{ model_version: { version: string } }>('POST', 'model-versions/create', {
      name: opts.name,
      source: opts.source,
      run_id: opts.runId,
      tags: toTags(opts.tags ?? {}),
    });
    return { version: r.model_version.version };
  }

  async setModelAlias(name: string, alias: string, version: string): Promise<void> {
    await this.call('POST', 'registered-models/alias', { name, alias, version });
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'model-versions/set-tag', { name, version, key, value });
  }

  /** A registered model with its aliases; undefined when there is none of that name. */
  async getRegisteredModel(
    name: string,
  ): Promise<{ name: string; aliases: { alias: string; version: string }[] } | undefined> {
    try {
      const r = await this.call<{ registered_model: { name: string; aliases?: { alias: string; version: string }[] } }>(
        'GET',
        'registered-models/get',
        { name },
      );
      return { name: r.registered_model.name, aliases: r.registered_model.aliases ?? [] };
    } catch (err) {
      if (err instanceof MlflowError && err.code === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw err;
    }
  }

  /** One version of a registered model; undefined when it does not exist. */
  async getModelVersion(
    name: string,
    version: string,
  ): Promise<{ version: string; source: string; run_id?: string; tags?: MlflowTag[] } | undefined> {
    try {
      const r = await this.call<{
        model_version: { version: string; source: string; run_id?: string; tags?: MlflowTag[] };
      }>('GET', 'model-versions/get', { name, version });
      return r.model_version;
    } catch (err) {
      if (
        err instanceof MlflowError &&
        (err.code === 'RESOURCE_DOES_NOT_EXIST' || err.code === 'INVALID_PARAMETER_VALUE')
      )
        return undefined;
      throw err;
    }
  }

  async getModelVersionByAlias(
    name: string,
    alias: string,
  ): Promise<{ version: string; run_id?: string; tags?: MlflowTag[] } | undefined> {
    try {
      const r = await this.call<{ model_version: { version: string; run_id?: string; tags?: MlflowTag[] } }>(
        'GET',
        'registered-models/alias',
        { name, alias },
      );
      return r.model_version;
    } catch (err) {
      if (
        err instanceof MlflowError &&
        (err.code === 'RESOURCE_DOES_NOT_EXIST' || err.code === 'INVALID_PARAMETER_VALUE')
      )
        return undefined;
      throw err;
    }
  }
}

function toTags(tags: Record<string, string>): MlflowTag[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}
