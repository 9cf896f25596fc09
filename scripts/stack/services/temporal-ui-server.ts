import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TidemarkConfig } from '../../../common/config.js';
import { writeConfigDir } from '../config-dir.js';
import { startDaemon, waitUntil, type DaemonSpec } from '../daemon.js';
import type { StackPaths } from '../paths.js';
import { missingProductionTool, productionTool } from '../production-tools.js';
import type { StackService } from './service.js';
import { contentHash, uiServerConfigYaml } from './temporal-server-config.js';

/** Temporal's Web UI server (the one the CLI's dev server embeds), on TEMPORAL_UI_URL, for the production profile's server. */
export class TemporalUiServer implements StackService {
  readonly name = 'temporal-ui';

  constructor(
    private readonly config: TidemarkConfig,
    private readonly paths: StackPaths,
  ) {}

  private bin(): string {
    const path = productionTool(this.paths, 'ui');
    if (!existsSync(path)) throw missingProductionTool(`the Temporal Web UI server (${path})`);
    return path;
  }

  private dir(): string {
    return join(this.paths.stateDir, 'temporal-ui');
  }

  private files(): { env: string; text: string } {
    const text = uiServerConfigYaml(this.config);
    return { env: `tidemark-${contentHash(text)}`, text };
  }

  async healthy(): Promise<boolean> {
    const res = await fetch(`${this.config.temporal.uiUrl}/healthz`, { signal: AbortSignal.timeout(1000) }).catch(
      () => undefined,
    );
    return res?.ok ?? false;
  }

  daemonSpec(): DaemonSpec {
    return {
      name: this.name,
      command: this.bin(),
      args: ['--root', this.dir(), '--config', 'config', '--env', this.files().env, 'start'],
      logFile: join(this.paths.logsDir, 'temporal-ui.log'),
      runDir: this.paths.runDir,
    };
  }

  async start(): Promise<void> {
    const spec = this.daemonSpec();
    const { env, text } = this.files();
    writeConfigDir(join(this.dir(), 'config'), { [`${env}.yaml`]: text });
    startDaemon(spec);
    await waitUntil(
      'Temporal Web UI server',
      () => this.healthy(),
      30_000,
      `See ${spec.logFile}; is ${new URL(this.config.temporal.uiUrl).host} taken by another process?`,
    );
  }

  async version(): Promise<string> {
    const { stdout } = await execa(this.bin(), ['--version']);
    return `temporal-ui-server ${stdout.replace(/^.*version\s*/i, 'v').trim()} (${this.bin()})`;
  }

  urls(): string[] {
    return [`Temporal Web UI: ${this.config.temporal.uiUrl}/namespaces/${this.config.temporal.namespace}/workflows`];
  }
}
