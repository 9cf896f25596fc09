import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { TidemarkConfig } from '../../../common/config.js';
import { TIDEMARK_SEARCH_ATTRIBUTES } from '../../../common/search-attributes.js';
import { writeConfigDir } from '../config-dir.js';
import { startDaemon, waitUntil, type DaemonSpec } from '../daemon.js';
import { StackConflictError } from '../errors.js';
import type { StackPaths } from '../paths.js';
import { missingProductionTool, productionTool } from '../production-tools.js';
import { PRODUCTION_TOPOLOGY as P, type PostgresSettings } from '../production-topology.js';
import type { StackService } from './service.js';
import { TEMPORAL_DYNAMIC_CONFIG } from './temporal.js';
import { prepareNamespace, temporalAnswers, withTemporalConnection } from './temporal-frontend.js';
import {
  contentHash,
  dynamicConfigYaml,
  SQL_PASSWORD_ENV,
  temporalServerConfigYaml,
} from './temporal-server-config.js';

const DYNAMIC_CONFIG_FILE = 'dynamic-config.yaml';

/**
 * The Temporal server (frontend, history, matching and worker services in one process) on the
 * stack's PostgreSQL: the production profile's Temporal. Its schema is set up and updated with
 * temporal-sql-tool before each start; both steps are no-ops on a current schema.
 */
export class TemporalServer implements StackService {
  readonly name = 'temporal';

  constructor(
    private readonly config: TidemarkConfig,
    private readonly paths: StackPaths,
    private readonly pg: PostgresSettings,
  ) {}

  private bin(name: 'server' | 'sqlTool'): string {
    const path = productionTool(this.paths, name);
    if (!existsSync(path)) throw missingProductionTool(`the Temporal server (${path})`);
    return path;
  }

  private dir(): string {
    return join(this.paths.stateDir, 'temporal-server');
  }

  /**
   * The config files and the name the server loads its config by. The name carries the files'
   * hash, so a config change is a command-line change and restarts a running server.
   */
  private files(): { env: string; configDir: string; configText: string; dynamicText: string } {
    const configDir = join(this.dir(), 'config');
    const dynamicText = dynamicConfigYaml(TEMPORAL_DYNAMIC_CONFIG);
    const configText = temporalServerConfigYaml(this.config, this.pg, join(configDir, DYNAMIC_CONFIG_FILE));
    return { env: `tidemark-${contentHash(configText, dynamicText)}`, configDir, configText, dynamicText };
  }

  async healthy(): Promise<boolean> {
    return temporalAnswers(this.config.temporal.address);
  }

  /** A Temporal server the stack did not start is used only when it keeps its state in a database server, not SQLite. */
  async adopt(): Promise<void> {
    const store = await withTemporalConnection(
      this.config.temporal.address,
      async (c) => (await c.workflowService.getClusterInfo({})).persistenceStore ?? '',
    );
    if (store.startsWith('sqlite')) {
      throw new StackConflictError(
        `A Temporal dev server (state in SQLite) that this stack did not start answers on ${this.config.temporal.address}, where the production profile runs its server on PostgreSQL. Fix: stop that server (\`npm run stack -- --stop\` from the clone or state folder that started it), or give the production profile other ports (TEMPORAL_ADDRESS, TEMPORAL_UI_URL).`,
      );
    }
  }

  daemonSpec(): DaemonSpec {
    const { env } = this.files();
    return {
      name: this.name,
      command: this.bin('server'),
      args: ['--root', this.dir(), '--config', 'config', '--env', env, '--allow-no-auth', 'start'],
      env: { [SQL_PASSWORD_ENV]: this.pg.password },
      logFile: join(this.paths.logsDir, 'temporal.log'),
      runDir: this.paths.runDir,
    };
  }

  async start(): Promise<void> {
    const spec = this.daemonSpec();
    this.writeConfig();
    await this.setUpSchemas();
    startDaemon(spec);
    await waitUntil(
      'Temporal server',
      () => this.healthy(),
      90_000,
      `See ${spec.logFile}; is port ${this.config.temporal.address.split(':')[1]} (or one of the next ten) taken by another process?`,
    );
  }

  private writeConfig(): void {
    const f = this.files();
    writeConfigDir(f.configDir, { [`${f.env}.yaml`]: f.configText, [DYNAMIC_CONFIG_FILE]: f.dynamicText });
  }

  /** Creates the version tables if missing and applies the schema versions not applied yet, for both databases. */
  private async setUpSchemas(): Promise<void> {
    const tool = this.bin('sqlTool');
    for (const [database, schema] of [
      [P.databases.temporal, P.schemas.temporal],
      [P.databases.visibility, P.schemas.visibility],
    ] as const) {
      const common = [
        '--endpoint',
        this.pg.host,
        '--port',
        String(this.pg.port),
        '--user',
        this.pg.user,
        '--plugin',
        P.sqlPlugin,
        '--database',
        database,
      ];
      for (const command of [
        ['setup-schema', '-v', '0.0'],
        ['update-schema', '--schema-name', schema],
      ]) {
        const result = await execa(tool, [...common, ...command], {
          env: { [SQL_PASSWORD_ENV]: this.pg.password },
          reject: false,
          all: true,
        });
        if (result.exitCode !== 0) {
          throw new Error(
            `temporal-sql-tool ${command[0]} failed for the database ${database} (exit ${result.exitCode}):\n${result.all}\nFix: check that the stack's PostgreSQL runs (npm run stack -- --profile production --versions) and see the message above.`,
          );
        }
      }
    }
  }

  /**
   * The namespace and Tidemark's search attributes (as for the dev server), then waits until the
   * frontend accepts a visibility query over every one of them: a production server caches search
   * attributes, so new ones become usable a few seconds after they are added.
   */
  async prepare(): Promise<void> {
    await prepareNamespace(this.config);
    const namespace = this.config.temporal.namespace;
    const query = TIDEMARK_SEARCH_ATTRIBUTES.map((key) => `${key.name} IS NULL`).join(' AND ');
    await waitUntil(
      "Tidemark's search attributes",
      () =>
        withTemporalConnection(this.config.temporal.address, async (c) => {
          await c.workflowService.countWorkflowExecutions({ namespace, query });
          return true;
        }),
      60_000,
      `The Temporal server did not accept a visibility query over them (${query}); see ${join(this.paths.logsDir, 'temporal.log')}.`,
    );
  }

  async version(): Promise<string> {
    const { stdout } = await execa(this.bin('server'), ['--version']);
    return `temporal-server ${stdout.replace(/^temporal version\s*/, 'v').trim()} (${this.bin('server')})`;
  }

  urls(): string[] {
    return [`Temporal gRPC: ${this.config.temporal.address} (Temporal server on PostgreSQL)`];
  }
}
