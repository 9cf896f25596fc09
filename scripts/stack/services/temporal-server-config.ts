/**
 * The production profile's Temporal server and Web UI server config files, generated from the
 * Tidemark config (pure: no I/O, so a daemon spec can hash them).
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { TidemarkConfig } from '../../../common/config.js';
import { PRODUCTION_TOPOLOGY as P, type PostgresSettings } from '../production-topology.js';

/** The environment variable the server's config template reads the PostgreSQL password from (temporal-sql-tool reads the same). */
export const SQL_PASSWORD_ENV = 'SQL_PASSWORD';

/** Temporal records each service's membership port in a PostgreSQL smallint column. */
const MAX_MEMBERSHIP_PORT = 32767;

/**
 * Every port the server listens on, from TEMPORAL_ADDRESS's port P: the frontend's gRPC on P and
 * HTTP on P+10 (as the dev server), history, matching and worker on P+3..P+5, and the four
 * services' membership (ringpop) ports on P+6..P+9, all on TEMPORAL_ADDRESS's host. P+1 and P+2
 * stay free: a port plan that puts the Web UI on P+1 (as the dev server's neighbours often do)
 * and metrics on P+2 (the dev server's) serves either profile. Temporal stores membership ports
 * as smallint, so above 32767 they move down by 16384 until they fit (P = 37233: 20855..20858).
 */
export function temporalServerPorts(address: string): {
  host: string;
  frontend: number;
  http: number;
  history: number;
  matching: number;
  worker: number;
  membership: Record<'frontend' | 'history' | 'matching' | 'worker', number>;
} {
  const [host, port] = address.split(':');
  const p = Number(port);
  let m = p + 6;
  while (m + 3 > MAX_MEMBERSHIP_PORT) m -= 16384;
  return {
    host: host!,
    frontend: p,
    http: p + 10,
    history: p + 3,
    matching: p + 4,
    worker: p + 5,
    membership: { frontend: m, history: m + 1, matching: m + 2, worker: m + 3 },
  };
}

/** A dynamic config file: each key with one unconstrained value. */
export function dynamicConfigYaml(values: Record<string, unknown>): string {
  return stringify(Object.fromEntries(Object.entries(values).map(([key, value]) => [key, [{ value }]])));
}

function sqlStore(pg: PostgresSettings, databaseName: string, maxConns: number) {
  return {
    sql: {
      pluginName: P.sqlPlugin,
      databaseName,
      connectAddr: `${pg.host}:${pg.port}`,
      connectProtocol: 'tcp',
      user: pg.user,
      password: PASSWORD_SLOT,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

/** A plain YAML scalar that stands for the password until the template expression replaces it. */
const PASSWORD_SLOT = 'tidemark_password_slot';

/**
 * The server's config (Temporal's config/development-postgres12.yaml, reduced to what a single
 * process on loopback needs). It is a template: the PostgreSQL password comes from the server's
 * environment at start, so it is never written to disk.
 */
export function temporalServerConfigYaml(
  config: TidemarkConfig,
  pg: PostgresSettings,
  dynamicConfigFile: string,
): string {
  const ports = temporalServerPorts(config.temporal.address);
  const service = (grpcPort: number, membershipPort: number, httpPort?: number) => ({
    rpc: { grpcPort, membershipPort, bindOnIP: ports.host, ...(httpPort ? { httpPort } : {}) },
  });
  const frontend = `${ports.host}:${ports.frontend}`;
  const server = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: P.numHistoryShards,
      datastores: {
        // Each of the four services opens its own pools: 4 × (20 + 10) connections at most.
        'postgres-default': sqlStore(pg, P.databases.temporal, 20),
        'postgres-visibility': sqlStore(pg, P.databases.visibility, 10),
      },
    },
    global: { membership: { maxJoinDuration: '30s', broadcastAddress: ports.host } },
    services: {
      frontend: service(ports.frontend, ports.membership.frontend, ports.http),
      history: service(ports.history, ports.membership.history),
      matching: service(ports.matching, ports.membership.matching),
      worker: service(ports.worker, ports.membership.worker),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: frontend,
          httpAddress: `${ports.host}:${ports.http}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: dynamicConfigFile, pollInterval: '10s' },
    publicClient: { hostPort: frontend },
  };
  const body = stringify(server).replaceAll(PASSWORD_SLOT, `{{ env "${SQL_PASSWORD_ENV}" | quote }}`);
  return `# enable-template (Temporal renders this file; the password is read from $${SQL_PASSWORD_ENV})\n# Generated by Tidemark's stack (scripts/stack/services/temporal-server-config.ts); changes are overwritten.\n${body}`;
}

/** The Web UI server's config: the dev server's UI settings, on TEMPORAL_UI_URL's host and port. */
export function uiServerConfigYaml(config: TidemarkConfig): string {
  const ui = new URL(config.temporal.uiUrl);
  return stringify({
    temporalGrpcAddress: config.temporal.address,
    host: ui.hostname,
    port: Number(ui.port || 8233),
    enableUi: true,
    defaultNamespace: config.temporal.namespace,
    cors: { cookieInsecure: true },
    notifyOnNewVersion: false,
    hideLogs: true,
  });
}

/** A short content hash: part of a config file's name, so a changed file changes its daemon's command line. */
export function contentHash(...texts: string[]): string {
  const h = createHash('sha256');
  for (const t of texts) h.update(t).update('\0');
  return h.digest('hex').slice(0, 12);
}
