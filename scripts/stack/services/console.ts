import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TidemarkConfig } from '../../../common/config.js';
import { ENV } from '../../../common/env.js';
import { startDaemon, waitUntil, type DaemonSpec } from '../daemon.js';
import { PROJECT_ROOT, type StackPaths } from '../paths.js';
import type { StackService } from './service.js';

const SERVER_DIR = join(PROJECT_ROOT, 'console', 'server');

/** A hash of the console server's code, so that a console started by older code is restarted. */
function serverCodeHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts')) h.update(e.name).update(readFileSync(path));
    }
  };
  walk(SERVER_DIR);
  return h.digest('hex').slice(0, 16);
}

/**
 * The Tidemark console (console/server, serving the front end setup built) as a daemon of the
 * stack, on the configured address (127.0.0.1:8300 unless TIDEMARK_CONSOLE_ADDRESS says otherwise).
 */
export class ConsoleServer implements StackService {
  readonly name = 'console';

  constructor(
    private readonly config: TidemarkConfig,
    private readonly paths: StackPaths,
  ) {}

  async healthy(): Promise<boolean> {
    const res = await fetch(`http://${this.config.console.address}/api/info`, {
      signal: AbortSignal.timeout(1000),
    }).catch(() => undefined);
    return res?.ok ?? false;
  }

  daemonSpec(): DaemonSpec {
    const c = this.config;
    return {
      name: this.name,
      command: process.execPath,
      args: ['--import', 'tsx', join(SERVER_DIR, 'main.ts')],
      cwd: PROJECT_ROOT,
      // The console acts with the stack's config; its code's hash restarts a console older code started.
      env: {
        [ENV.temporalAddress]: c.temporal.address,
        [ENV.temporalNamespace]: c.temporal.namespace,
        [ENV.temporalUiUrl]: c.temporal.uiUrl,
        [ENV.s3Endpoint]: c.minio.endpoint,
        [ENV.s3AccessKey]: c.minio.accessKey,
        [ENV.s3SecretKey]: c.minio.secretKey,
        [ENV.artifactBucket]: c.minio.bucket,
        [ENV.minioConsoleUrl]: c.minio.consoleUrl,
        [ENV.mlflowTrackingUri]: c.mlflow.trackingUri,
        [ENV.consoleAddress]: c.console.address,
        [ENV.consoleUrl]: c.console.url,
        [ENV.metricsAddress]: c.metrics.address,
        [ENV.prometheusUrl]: c.prometheus.url,
        [ENV.stateDir]: c.state.dir,
        TIDEMARK_CONSOLE_CODE: serverCodeHash(),
      },
      logFile: join(this.paths.logsDir, 'console.log'),
      runDir: this.paths.runDir,
    };
  }

  async start(): Promise<void> {
    const spec = this.daemonSpec();
    startDaemon(spec);
    await waitUntil(
      'Tidemark console',
      () => this.healthy(),
      90_000,
      `See ${spec.logFile}; is ${this.config.console.address} taken by another process?`,
    );
  }

  async version(): Promise<string> {
    const built = existsSync(join(PROJECT_ROOT, 'console', 'dist', 'index.html'));
    return `console (console/server, front end ${built ? 'built' : 'not built: run npm run setup'})`;
  }

  urls(): string[] {
    return [`Tidemark console: ${this.config.console.url}`];
  }
}
