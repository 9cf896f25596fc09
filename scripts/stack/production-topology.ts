import { ENV } from '../../common/env.js';
import { StackSettingsError } from './errors.js';

/**
 * Temporal's production topology as the embedded stack's `production` profile runs it, and as
 * compose/docker-compose.yml describes it (test/unit/compose.test.ts checks that the two agree): the
 * Temporal server and its Web UI server built from their Go modules, on PostgreSQL, with MLflow's
 * backend store on the same PostgreSQL.
 */
export const PRODUCTION_TOPOLOGY = {
  /** The server module and version; scripts/setup/temporal-server/go.mod pins the same. */
  temporalServerModule: 'go.temporal.io/server',
  temporalServerVersion: 'v1.29.1',
  /** The Web UI server the Temporal CLI embeds, built as a program of its own. */
  uiServerModule: 'github.com/temporalio/ui-server/v2',
  uiServerVersion: 'v2.42.1',
  /** Debian bookworm's PostgreSQL. */
  postgresMajor: 15,
  /** Temporal's SQL plugin for PostgreSQL 12 and later: advanced visibility with custom search attributes. */
  sqlPlugin: 'postgres12',
  /** Fixed when the schema is created: changing it needs a new database. */
  numHistoryShards: 4,
  databases: { temporal: 'temporal', visibility: 'temporal_visibility', mlflow: 'mlflow' },
  /** Temporal's embedded schema folders (temporal-sql-tool --schema-name). */
  schemas: { temporal: 'postgresql/v12/temporal', visibility: 'postgresql/v12/visibility' },
  /** The PostgreSQL role every service uses. */
  postgresUser: 'tidemark',
  /**
   * MLflow's PostgreSQL driver, installed into its venv by setup: psycopg 3, which SQLAlchemy 2.1
   * (MLflow 3.17's) loads for a plain postgresql:// URL.
   */
  psycopgVersion: '3.3.9',
  /**
   * Custom search attribute slots per type of advanced visibility on PostgreSQL (the columns of
   * schema/postgresql/v12/visibility/schema.sql in the server module): Tidemark's attributes must fit.
   */
  visibilitySlots: { BOOL: 3, DATETIME: 3, DOUBLE: 3, INT: 3, KEYWORD: 10, KEYWORD_LIST: 3, TEXT: 3 },
} as const;

export const POSTGRES_DEFAULTS = {
  port: 55432,
  password: 'tidemark-dev-secret',
} as const;

/** Where the production profile's PostgreSQL listens, and its role's credentials. */
export interface PostgresSettings {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
}

export function postgresSettings(env: NodeJS.ProcessEnv = process.env): PostgresSettings {
  const rawPort = env[ENV.postgresPort];
  const port = rawPort ? Number(rawPort) : POSTGRES_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new StackSettingsError(
      `${ENV.postgresPort}=${rawPort} is not a port number. Fix: set it to a free port such as ${POSTGRES_DEFAULTS.port}, or unset it.`,
    );
  }
  const password = env[ENV.postgresPassword] || POSTGRES_DEFAULTS.password;
  return { host: '127.0.0.1', port, user: PRODUCTION_TOPOLOGY.postgresUser, password };
}

/** A SQLAlchemy URL of one database on that PostgreSQL (for MLflow's backend store). */
export function postgresUrl(pg: PostgresSettings, database: string): string {
  return `postgresql://${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}@${pg.host}:${pg.port}/${database}`;
}
