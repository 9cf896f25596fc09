import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TidemarkConfig } from '../../../common/config.js';
import { createMinioClient, ensureBuckets } from '../../../lib/artifacts/minio-client.js';
import { startDaemon, waitUntil, type DaemonSpec } from '../daemon.js';
import type { StackPaths } from '../paths.js';
import { builtFrom, ToolMissingError } from '../tools.js';
import type { StackService } from './service.js';

/** A single-drive MinIO server with its data under the state folder. */
export class MinioServer implements StackService {
  readonly name = 'minio';

  constructor(
    private readonly config: TidemarkConfig,
    private readonly paths: StackPaths,
    private readonly binary: string | undefined,
  ) {}

  private bin(): string {
    if (!this.binary)
      throw new ToolMissingError('minio', 'run `npm run setup` (it builds or installs every tool the stack needs)');
    return this.binary;
  }

  async healthy(): Promise<boolean> {
    const res = await fetch(`${this.config.minio.endpoint}/minio/health/live`, {
      signal: AbortSignal.timeout(1000),
    }).catch(() => undefined);
    return res?.ok ?? false;
  }

  async start(): Promise<void> {
    mkdirSync(this.dataDir(), { recursive: true });
    const spec = this.daemonSpec();
    startDaemon(spec);
    const address = new URL(this.config.minio.endpoint).host;
    await waitUntil(
      'MinIO',
      () => this.healthy(),
      60_000,
      `See ${spec.logFile}; is ${address} taken by another process?`,
    );
  }

  private dataDir(): string {
    return join(this.paths.stateDir, 'minio', 'data');
  }

  daemonSpec(): DaemonSpec {
    const dataDir = this.dataDir();
    const address = new URL(this.config.minio.endpoint).host;
    const consoleAddress = new URL(this.config.minio.consoleUrl).host;
    const logFile = join(this.paths.logsDir, 'minio.log');
    return {
      name: this.name,
      command: this.bin(),
      args: ['server', dataDir, '--address', address, '--console-address', consoleAddress, '--quiet'],
      env: {
        MINIO_ROOT_USER: this.config.minio.accessKey,
        MINIO_ROOT_PASSWORD: this.config.minio.secretKey,
        MINIO_UPDATE: 'off',
        MINIO_CALLHOME_ENABLE: 'off',
        MINIO_BROWSER_REDIRECT: 'off',
      },
      logFile,
      runDir: this.paths.runDir,
    };
  }

  async prepare(): Promise<void> {
    await ensureBuckets(createMinioClient(this.config.minio), [
      this.config.minio.bucket,
      this.config.mlflow.artifactBucket,
    ]);
  }

  async version(): Promise<string> {
    const { stdout } = await execa(this.bin(), ['--version']);
    const pin = builtFrom(this.bin());
    const version = stdout
      .split('\n')[0]!
      .replace(/^minio version\s*/, '')
      .trim();
    return `minio ${pin && version.startsWith('DEVELOPMENT') ? pin.split('@')[1] : version} (${this.bin()})`;
  }

  urls(): string[] {
    return [`MinIO S3 API: ${this.config.minio.endpoint}`, `MinIO console: ${this.config.minio.consoleUrl}`];
  }
}
