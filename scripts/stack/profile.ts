import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TidemarkConfig } from '../../common/config.js';
import { ENV } from '../../common/env.js';
import { StackSettingsError } from './errors.js';
import type { StackPaths } from './paths.js';
import { postgresSettings, postgresUrl, PRODUCTION_TOPOLOGY } from './production-topology.js';
import { ConsoleServer } from './services/console.js';
import { DockerEngine } from './services/dockerd.js';
import { KubernetesCluster } from './services/kubernetes.js';
import { MinioServer } from './services/minio.js';
import { MlflowServer } from './services/mlflow.js';
import { PostgresServer } from './services/postgres.js';
import { PrometheusServer } from './services/prometheus.js';
import type { StackService } from './services/service.js';
import { TemporalDevServer } from './services/temporal.js';
import { TemporalServer } from './services/temporal-server.js';
import { TemporalUiServer } from './services/temporal-ui-server.js';
import { locateTools } from './tools.js';

/**
 * Every service of every profile. A profile runs some of them; `stack --stop` stops them in the
 * reverse of this order (PostgreSQL after Temporal and MLflow, which use it).
 */
export const SERVICE_NAMES = [
  'dockerd',
  'postgres',
  'minio',
  'temporal',
  'temporal-ui',
  'mlflow',
  'console',
  'prometheus',
  'kubernetes',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];
/** Services the stack starts only when asked (`--with prometheus`, `--with kubernetes`), in either profile. */
export const OPTIONAL_SERVICES = ['prometheus', 'kubernetes'] as const;
export type OptionalService = (typeof OPTIONAL_SERVICES)[number];

/**
 * `dev`: the Temporal CLI's dev server (SQLite, Web UI built in), MLflow on SQLite: the default.
 * `production`: Temporal's production topology: the Temporal server on PostgreSQL, its Web UI
 * server beside it, MLflow's backend store on the same PostgreSQL.
 */
export const STACK_PROFILES = ['dev', 'production'] as const;
export type StackProfile = (typeof STACK_PROFILES)[number];

/** The profile a flag names, else TIDEMARK_STACK_PROFILE, else `dev`. */
export function resolveProfile(flag?: string, env: NodeJS.ProcessEnv = process.env): StackProfile {
  const value = flag ?? (env[ENV.stackProfile] || 'dev');
  if (!(STACK_PROFILES as readonly string[]).includes(value)) {
    const source = flag === undefined ? `${ENV.stackProfile}=${value}` : `--profile ${value}`;
    throw new StackSettingsError(`${source} is not a stack profile. Fix: use one of ${STACK_PROFILES.join(', ')}.`);
  }
  return value as StackProfile;
}

/** One service of a profile and the services it waits for (started and prepared) before it starts. */
export interface ProfileService {
  service: StackService;
  after: ServiceName[];
}

/**
 * The services a profile can run (the optional ones included), with their start order; `env` holds
 * the settings the Tidemark config lacks (PostgreSQL's).
 */
export function profileServices(
  profile: StackProfile,
  config: TidemarkConfig,
  paths: StackPaths,
  env: NodeJS.ProcessEnv = process.env,
): Map<ServiceName, ProfileService> {
  const tools = locateTools(env, paths);
  const common: [ServiceName, ProfileService][] = [
    ['dockerd', { service: new DockerEngine(config, paths, tools.dockerd), after: [] }],
    ['minio', { service: new MinioServer(config, paths, tools.minio), after: [] }],
    ['console', { service: new ConsoleServer(config, paths), after: [] }],
    ['prometheus', { service: new PrometheusServer(config, paths, tools.prometheus), after: [] }],
    // The cluster copies images from Docker into its node.
    ['kubernetes', { service: new KubernetesCluster(config, paths), after: ['dockerd'] }],
  ];
  if (profile === 'dev') {
    return new Map([
      ...common,
      ['temporal', { service: new TemporalDevServer(config, paths, tools.temporal), after: [] }],
      // MLflow keeps its artifacts in MinIO.
      ['mlflow', { service: new MlflowServer(config, paths, tools.mlflow), after: ['minio'] }],
    ]);
  }
  const pg = postgresSettings(env);
  return new Map([
    ...common,
    ['postgres', { service: new PostgresServer(paths, pg), after: [] }],
    ['temporal', { service: new TemporalServer(config, paths, pg), after: ['postgres'] }],
    ['temporal-ui', { service: new TemporalUiServer(config, paths), after: ['temporal'] }],
    [
      'mlflow',
      {
        service: new MlflowServer(config, paths, tools.mlflow, postgresUrl(pg, PRODUCTION_TOPOLOGY.databases.mlflow)),
        after: ['minio', 'postgres'],
      },
    ],
  ]);
}

/** The services whose versions `stack --versions` prints, in its order. */
export const VERSION_ORDER: Record<StackProfile, ServiceName[]> = {
  dev: ['temporal', 'minio', 'mlflow', 'dockerd', 'kubernetes'],
  production: ['temporal', 'postgres', 'temporal-ui', 'minio', 'mlflow', 'dockerd', 'kubernetes'],
};

const markerFile = (runDir: string) => join(runDir, 'profile');

/** The profile the stack last brought up in this state folder, if any. */
export function lastProfile(runDir: string): StackProfile | undefined {
  try {
    const value = readFileSync(markerFile(runDir), 'utf8').trim();
    return (STACK_PROFILES as readonly string[]).includes(value) ? (value as StackProfile) : undefined;
  } catch {
    return undefined;
  }
}

export function recordProfile(runDir: string, profile: StackProfile | undefined): void {
  if (profile) writeFileSync(markerFile(runDir), `${profile}\n`);
  else rmSync(markerFile(runDir), { force: true });
}
