import { join } from 'node:path';
import Docker from 'dockerode';
import { execa } from 'execa';
import type { TidemarkConfig } from '../../../common/config.js';
import { startDaemon, waitUntil, type DaemonSpec } from '../daemon.js';
import type { StackPaths } from '../paths.js';
import type { StackService } from './service.js';

/**
 * The Docker engine. When no daemon answers, it starts Debian's dockerd with no default bridge
 * and no iptables rules: containers run with network `none`, or `host` when a step must reach
 * MinIO or MLflow on loopback.
 */
export class DockerEngine implements StackService {
  readonly name = 'dockerd';
  private readonly docker: Docker;

  constructor(
    config: TidemarkConfig,
    private readonly paths: StackPaths,
    private readonly binary: string | undefined,
  ) {
    this.docker = new Docker({ socketPath: config.containers.dockerSocket });
  }

  async healthy(): Promise<boolean> {
    return this.docker.ping().then(
      () => true,
      () => false,
    );
  }

  async start(): Promise<void> {
    if (!this.binary)
      throw new Error(
        "No Docker daemon answers and dockerd is not installed. Fix: run `npm run setup` (it installs Debian's docker.io).",
      );
    if (process.getuid?.() !== 0)
      throw new Error(
        'No Docker daemon answers, and starting dockerd needs root. Fix: start Docker yourself (for example `sudo dockerd --bridge=none --iptables=false &`), or run as root.',
      );
    const spec = this.daemonSpec();
    startDaemon(spec);
    await waitUntil('dockerd', () => this.healthy(), 60_000, `See ${spec.logFile}.`);
  }

  daemonSpec(): DaemonSpec {
    return {
      name: this.name,
      command: this.binary ?? 'dockerd',
      args: ['--bridge=none', '--iptables=false', '--ip6tables=false'],
      logFile: join(this.paths.logsDir, 'dockerd.log'),
      runDir: this.paths.runDir,
    };
  }

  async version(): Promise<string> {
    if (this.binary) {
      const { stdout } = await execa(this.binary, ['--version']);
      return `dockerd ${stdout.replace(/^Docker version\s*/, '').trim()} (${this.binary})`;
    }
    const v = await this.docker.version();
    return `dockerd ${v.Version} (running daemon)`;
  }

  urls(): string[] {
    return ['Docker engine: unix:///var/run/docker.sock'];
  }
}
