import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TidemarkConfig } from '../../../common/config.js';
import { TIDEMARK_SEARCH_ATTRIBUTES } from '../../../common/search-attributes.js';
import { startDaemon, waitUntil, type DaemonSpec } from '../daemon.js';
import type { StackPaths } from '../paths.js';
import { builtFrom, ToolMissingError } from '../tools.js';
import type { StackService } from './service.js';
import { prepareNamespace, temporalAnswers } from './temporal-frontend.js';

/**
 * Server settings beyond the dev server's defaults; compose/temporal-dynamic-config.yaml gives the
 * compose stack's server the same (test/unit/compose.test.ts checks).
 */
export const TEMPORAL_DYNAMIC_CONFIG: Record<string, unknown> = {
  // Eager activity dispatch: the worker that completes a workflow task gets the activities it
  // scheduled in the reply, when it has a free slot, instead of polling for them (a few ms a step).
  'system.enableActivityEagerExecution': true,
};

const SA_TYPE_FLAG: Record<string, string> = {
  KEYWORD: 'Keyword',
  INT: 'Int',
  BOOL: 'Bool',
  DOUBLE: 'Double',
  TEXT: 'Text',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** The Temporal CLI dev server: SQLite state under the state folder, Web UI on its own port. */
export class TemporalDevServer implements StackService {
  readonly name = 'temporal';
  private readonly host: string;
  private readonly port: number;
  private readonly uiPort: number;

  constructor(
    private readonly config: TidemarkConfig,
    private readonly paths: StackPaths,
    private readonly binary: string | undefined,
  ) {
    const [host, port] = config.temporal.address.split(':');
    this.host = host!;
    this.port = Number(port);
    this.uiPort = Number(new URL(config.temporal.uiUrl).port || 8233);
  }

  private bin(): string {
    if (!this.binary)
      throw new ToolMissingError('temporal', 'run `npm run setup` (it builds or installs every tool the stack needs)');
    return this.binary;
  }

  async healthy(): Promise<boolean> {
    return temporalAnswers(this.config.temporal.address);
  }

  async start(): Promise<void> {
    mkdirSync(join(this.paths.stateDir, 'temporal'), { recursive: true });
    const spec = this.daemonSpec();
    startDaemon(spec);
    await waitUntil(
      'Temporal dev server',
      () => this.healthy(),
      60_000,
      `See ${spec.logFile}; is port ${this.port} taken by another process?`,
    );
  }

  daemonSpec(): DaemonSpec {
    const dbDir = join(this.paths.stateDir, 'temporal');
    const args = [
      'server',
      'start-dev',
      '--ip',
      this.host,
      '--port',
      String(this.port),
      '--ui-port',
      String(this.uiPort),
      '--http-port',
      String(this.port + 10),
      '--metrics-port',
      String(this.port + 2),
      '--db-filename',
      join(dbDir, 'temporal.db'),
      // Write-ahead logging: readers stop blocking the writer, and commits need one sync less.
      // State still survives a crash of the server process (tested by a restart mid-session).
      '--sqlite-pragma',
      'journal_mode=wal',
      '--sqlite-pragma',
      'synchronous=normal',
      ...Object.entries(TEMPORAL_DYNAMIC_CONFIG).flatMap(([key, value]) => [
        '--dynamic-config-value',
        `${key}=${JSON.stringify(value)}`,
      ]),
      '--log-level',
      'warn',
    ];
    if (this.config.temporal.namespace !== 'default') args.push('--namespace', this.config.temporal.namespace);
    for (const key of TIDEMARK_SEARCH_ATTRIBUTES)
      args.push('--search-attribute', `${key.name}=${SA_TYPE_FLAG[key.type]}`);
    return {
      name: this.name,
      command: this.bin(),
      args,
      logFile: join(this.paths.logsDir, 'temporal.log'),
      runDir: this.paths.runDir,
    };
  }

  async prepare(): Promise<void> {
    await prepareNamespace(this.config);
  }

  async version(): Promise<string> {
    const { stdout } = await execa(this.bin(), ['--version']);
    const pin = builtFrom(this.bin());
    const version = stdout.replace(/^temporal version\s*/, '').trim();
    return `temporal ${pin ? `${pin.split('@')[1]} ${version.replace(/^0\.0\.0-DEV\s*/, '')}` : version} (${this.bin()})`;
  }

  urls(): string[] {
    return [
      `Temporal gRPC: ${this.config.temporal.address}`,
      `Temporal Web UI: ${this.config.temporal.uiUrl}/namespaces/${this.config.temporal.namespace}/workflows`,
    ];
  }
}
