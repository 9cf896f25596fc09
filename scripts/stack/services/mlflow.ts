import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { TidemarkConfig } from '../../../common/config.js';
import { startDaemon, waitUntil, type DaemonSpec } from '../daemon.js';
import type { StackPaths } from '../paths.js';
import { ToolMissingError } from '../tools.js';
import type { StackService } from './service.js';

/** Environment that keeps MLflow (server and clients) from calling home. */
export const MLFLOW_QUIET_ENV = { MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true' } as const;

/** The `nice` increment the MLflow server runs at (Linux: 10 of 19 gives it about a tenth of a contended core). */
const MLFLOW_NICENESS = 10;

/**
 * Gunicorn settings that add Tidemark's bulk endpoint for finished runs to the server
 * (`mlflow-server/tidemark_runs.py`): a pipeline step's run in one request of a batch, at about a
 * seventh of the server CPU of MLflow's create, log-batch and update.
 */
const GUNICORN_CONFIG = fileURLToPath(new URL('../mlflow-server/gunicorn.conf.py', import.meta.url));

/**
 * The MLflow tracking server: artifacts in a MinIO bucket; its backend store is a SQLite file in
 * the state folder, or the database `backendStoreUri` names (the production profile's PostgreSQL).
 */
export class MlflowServer implements StackService {
  readonly name = 'mlflow';

  constructor(
    private readonly config: TidemarkConfig,
    private readonly paths: StackPaths,
    private readonly binary: string | undefined,
    /** A SQLAlchemy URL; passed in the environment (MLFLOW_BACKEND_STORE_URI), as it holds a password. */
    private readonly backendStoreUri?: string,
  ) {}

  private bin(): string {
    if (!this.binary)
      throw new ToolMissingError('mlflow', 'run `npm run setup` (it builds or installs every tool the stack needs)');
    return this.binary;
  }

  async healthy(): Promise<boolean> {
    const res = await fetch(`${this.config.mlflow.trackingUri}/health`, { signal: AbortSignal.timeout(1000) }).catch(
      () => undefined,
    );
    return res?.ok ?? false;
  }

  async start(): Promise<void> {
    mkdirSync(this.dbDir(), { recursive: true });
    const spec = this.daemonSpec();
    startDaemon(spec);
    const url = new URL(this.config.mlflow.trackingUri);
    await waitUntil(
      'MLflow server',
      () => this.healthy(),
      180_000,
      `See ${spec.logFile}; is port ${url.port} taken by another process?`,
    );
  }

  private dbDir(): string {
    return join(this.paths.stateDir, 'mlflow');
  }

  daemonSpec(): DaemonSpec {
    const dbDir = this.dbDir();
    const url = new URL(this.config.mlflow.trackingUri);
    const logFile = join(this.paths.logsDir, 'mlflow.log');
    return {
      name: this.name,
      // Bookkeeping yields to the work it records: at a lower CPU priority, MLflow takes the
      // cores only when step containers leave them free, and catches up when a pipeline ends.
      command: 'nice',
      args: [
        '-n',
        String(MLFLOW_NICENESS),
        this.bin(),
        'server',
        '--host',
        url.hostname,
        '--port',
        url.port || '5000',
        ...(this.backendStoreUri ? [] : ['--backend-store-uri', `sqlite:///${join(dbDir, 'mlflow.db')}`]),
        '--default-artifact-root',
        `s3://${this.config.mlflow.artifactBucket}/`,
        '--no-serve-artifacts',
        // Two processes, so that a backlog of tracking calls (a wide fan-out's end) drains on
        // both cores; each costs about 220 MB.
        '--workers',
        '2',
        // The Flask app under gunicorn's synchronous worker, without MLflow's default
        // uvicorn/FastAPI front (which wraps the same Flask handlers through an ASGI-to-WSGI
        // bridge and a thread pool): about half the server CPU per tracking call (measured 37 ms
        // instead of 64 ms for a step's create, log-batch and update), on the cores that step
        // containers need. Tidemark uses only the Flask REST API and UI; MLflow's FastAPI-only
        // routes (AI gateway, OTLP traces, jobs, assistant) are not served.
        '--gunicorn-opts',
        `--timeout 120 --log-level warning --config ${GUNICORN_CONFIG}`,
      ],
      env: {
        ...MLFLOW_QUIET_ENV,
        // The server's background job runner (GenAI evaluation jobs) costs ~2 GB in eight Python
        // processes and Tidemark uses none of it.
        MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
        MLFLOW_S3_ENDPOINT_URL: this.config.minio.endpoint,
        AWS_ACCESS_KEY_ID: this.config.minio.accessKey,
        AWS_SECRET_ACCESS_KEY: this.config.minio.secretKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        ...(this.backendStoreUri ? { MLFLOW_BACKEND_STORE_URI: this.backendStoreUri } : {}),
      },
      logFile,
      runDir: this.paths.runDir,
    };
  }

  async version(): Promise<string> {
    const { stdout } = await execa(this.bin(), ['--version'], { env: MLFLOW_QUIET_ENV });
    return `mlflow ${stdout.replace(/^.*version\s*/, '').trim()} (${this.bin()})`;
  }

  urls(): string[] {
    return [`MLflow UI: ${this.config.mlflow.trackingUri}`];
  }
}
