import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TidemarkConfig } from '../../../common/config.js';
import { startDaemon, waitUntil, type DaemonSpec } from '../daemon.js';
import type { StackPaths } from '../paths.js';
import { ToolMissingError } from '../tools.js';
import type { StackService } from './service.js';

/** How often Prometheus scrapes: often enough that a short pipeline shows on the console's charts. */
const SCRAPE_INTERVAL = '5s';

/**
 * Debian's Prometheus (`npm run stack -- --with prometheus`), scraping the Tidemark worker's
 * metrics (TIDEMARK_METRICS_ADDRESS) and the Temporal dev server's, with its data under the
 * state folder; the console charts from it.
 */
export class PrometheusServer implements StackService {
  readonly name = 'prometheus';

  constructor(
    private readonly config: TidemarkConfig,
    private readonly paths: StackPaths,
    private readonly binary: string | undefined,
  ) {}

  private bin(): string {
    if (!this.binary)
      throw new ToolMissingError('prometheus', "run `npm run setup` (it installs Debian's prometheus package)");
    return this.binary;
  }

  private dir(): string {
    return join(this.paths.stateDir, 'prometheus');
  }

  /** The scrape config: the worker, and the Temporal dev server's metrics port (its gRPC port + 2). */
  private configFile(): string {
    const [host, port] = this.config.temporal.address.split(':') as [string, string];
    const targets = [
      ...(this.config.metrics.address === 'off'
        ? []
        : [`  - job_name: tidemark-worker\n    static_configs:\n      - targets: ['${this.config.metrics.address}']`]),
      `  - job_name: temporal-server\n    static_configs:\n      - targets: ['${host}:${Number(port) + 2}']`,
    ];
    const file = join(this.dir(), 'prometheus.yml');
    mkdirSync(this.dir(), { recursive: true });
    writeFileSync(
      file,
      `# Written by the Tidemark stack (scripts/stack/services/prometheus.ts).\nglobal:\n  scrape_interval: ${SCRAPE_INTERVAL}\nscrape_configs:\n${targets.join('\n')}\n`,
    );
    return file;
  }

  async healthy(): Promise<boolean> {
    const res = await fetch(`${this.config.prometheus.url}/-/ready`, { signal: AbortSignal.timeout(1000) }).catch(
      () => undefined,
    );
    return res?.ok ?? false;
  }

  daemonSpec(): DaemonSpec {
    const url = new URL(this.config.prometheus.url);
    return {
      name: this.name,
      command: this.bin(),
      args: [
        `--config.file=${join(this.dir(), 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(this.dir(), 'data')}`,
        '--storage.tsdb.retention.time=7d',
        `--web.listen-address=${url.host}`,
        `--web.external-url=${this.config.prometheus.url}`,
      ],
      // Part of what runs (and of its fingerprint): a changed worker address restarts Prometheus.
      env: { TIDEMARK_PROMETHEUS_TARGETS: `${this.config.metrics.address} ${this.config.temporal.address}` },
      logFile: join(this.paths.logsDir, 'prometheus.log'),
      runDir: this.paths.runDir,
    };
  }

  async start(): Promise<void> {
    this.configFile();
    const spec = this.daemonSpec();
    startDaemon(spec);
    await waitUntil(
      'Prometheus',
      () => this.healthy(),
      60_000,
      `See ${spec.logFile}; is ${new URL(this.config.prometheus.url).host} taken by another process?`,
    );
  }

  async version(): Promise<string> {
    const { stdout, stderr } = await execa(this.bin(), ['--version']);
    return `prometheus ${(stdout || stderr).split('\n')[0]!.replace(/^prometheus,?\s*version\s*/i, '')} (${this.bin()})`;
  }

  urls(): string[] {
    return [`Prometheus: ${this.config.prometheus.url}`];
  }
}
