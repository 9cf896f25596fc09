import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEV_DEFAULTS } from '../../common/config.js';
import { ENV } from '../../common/env.js';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';
import { POSTGRES_DEFAULTS, postgresUrl, PRODUCTION_TOPOLOGY as P } from '../../scripts/stack/production-topology.js';
import { TEMPORAL_DYNAMIC_CONFIG } from '../../scripts/stack/services/temporal.js';
import { dynamicConfigYaml } from '../../scripts/stack/services/temporal-server-config.js';
import { WORKER_HEAP_MB, workerHeapOption } from '../../workers/heap-budget.js';

interface ComposeService {
  ports?: string[];
  environment?: Record<string, string | number>;
  image?: string;
  volumes?: string[];
  command?: string;
}
const compose = parse(readFileSync(join(PROJECT_ROOT, 'compose', 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

const port = (url: string) => new URL(url).port;
/** The host side of each published port, e.g. "127.0.0.1:8233:8080" -> "8233". */
const hostPorts = (svc: string) => (compose.services[svc]?.ports ?? []).map((p) => p.split(':').at(-2));
/** `${NAME:-default}` -> default */
const defaultOf = (value: string | number | undefined) => String(value ?? '').replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1');
/** Every `${NAME:-default}` inside a value replaced by its default. */
const withDefaults = (value: string | number | undefined) =>
  String(value ?? '').replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
/** The file a service mounts at `target`, read from compose/. */
const mounted = (svc: string, target: string) => {
  const mount = (compose.services[svc]?.volumes ?? []).map((v) => v.split(':')).find(([, t]) => t === target);
  assert.ok(mount, `${svc} mounts a file at ${target}`);
  return readFileSync(join(PROJECT_ROOT, 'compose', mount[0]!), 'utf8');
};
const imageTag = (svc: string) => compose.services[svc]!.image!.split(':').at(-1);

describe('compose/docker-compose.yml', () => {
  it('has the services of the embedded stack, plus PostgreSQL, the Temporal UI and a worker', () => {
    for (const name of ['postgresql', 'temporal', 'temporal-ui', 'minio', 'mlflow', 'tidemark-worker'])
      assert.ok(compose.services[name], `service ${name}`);
  });

  it("publishes every service on the embedded stack's ports, on loopback only", () => {
    assert.deepEqual(hostPorts('temporal'), [DEV_DEFAULTS.temporalAddress.split(':')[1]]);
    assert.deepEqual(hostPorts('temporal-ui'), [port(DEV_DEFAULTS.temporalUiUrl)]);
    assert.deepEqual(hostPorts('minio'), [port(DEV_DEFAULTS.minioEndpoint), port(DEV_DEFAULTS.minioConsoleUrl)]);
    assert.deepEqual(hostPorts('mlflow'), [port(DEV_DEFAULTS.mlflowTrackingUri)]);
    for (const svc of Object.values(compose.services))
      for (const p of svc.ports ?? []) assert.match(p, /^127\.0\.0\.1:/);
  });

  it('gives the worker every connection variable Tidemark reads, with the embedded defaults', () => {
    const env = compose.services['tidemark-worker']!.environment!;
    for (const name of [
      ENV.temporalAddress,
      ENV.temporalNamespace,
      ENV.taskQueue,
      ENV.s3Endpoint,
      ENV.s3AccessKey,
      ENV.s3SecretKey,
      ENV.artifactBucket,
      ENV.mlflowTrackingUri,
      ENV.mlflowArtifactBucket,
      ENV.containerBackend,
    ]) {
      assert.ok(name in env, `worker sets ${name}`);
    }
    assert.equal(defaultOf(env[ENV.s3AccessKey]), DEV_DEFAULTS.minioAccessKey);
    assert.equal(defaultOf(env[ENV.s3SecretKey]), DEV_DEFAULTS.minioSecretKey);
    assert.equal(defaultOf(env[ENV.artifactBucket]), DEV_DEFAULTS.artifactBucket);
    assert.equal(defaultOf(env[ENV.mlflowArtifactBucket]), DEV_DEFAULTS.mlflowArtifactBucket);
    assert.equal(defaultOf(env[ENV.taskQueue]), DEV_DEFAULTS.taskQueue);
    assert.equal(defaultOf(env[ENV.temporalNamespace]), DEV_DEFAULTS.temporalNamespace);
    assert.equal(env[ENV.temporalUiUrl], DEV_DEFAULTS.temporalUiUrl);
    assert.equal(env[ENV.minioConsoleUrl], DEV_DEFAULTS.minioConsoleUrl);
  });

  it('gives the worker the heap budget that workers/heap-budget.ts documents, in compose, in its image and in `npm run worker`', () => {
    const env = compose.services['tidemark-worker']!.environment!;
    assert.equal(withDefaults(env.NODE_OPTIONS), workerHeapOption(WORKER_HEAP_MB));
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'compose', 'worker.Dockerfile'), 'utf8');
    assert.match(dockerfile, new RegExp(`^ENV NODE_OPTIONS=${workerHeapOption(WORKER_HEAP_MB)}$`, 'm'));
    const scripts = (
      JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    assert.ok(scripts.worker!.includes(workerHeapOption(WORKER_HEAP_MB)), `npm run worker: ${scripts.worker}`);
  });

  it('gives MinIO and MLflow the same credentials and bucket as the worker', () => {
    const minio = compose.services.minio!.environment!;
    const mlflow = compose.services.mlflow!.environment!;
    const worker = compose.services['tidemark-worker']!.environment!;
    assert.equal(minio.MINIO_ROOT_USER, worker[ENV.s3AccessKey]);
    assert.equal(minio.MINIO_ROOT_PASSWORD, worker[ENV.s3SecretKey]);
    assert.equal(mlflow.AWS_ACCESS_KEY_ID, worker[ENV.s3AccessKey]);
    assert.equal(mlflow.AWS_SECRET_ACCESS_KEY, worker[ENV.s3SecretKey]);
    assert.equal(mlflow.MLFLOW_SERVER_ENABLE_JOB_EXECUTION, 'false');
  });

  it("gives its Temporal server the embedded dev server's dynamic config", () => {
    const temporal = compose.services.temporal!;
    const path = String(temporal.environment!.DYNAMIC_CONFIG_FILE_PATH);
    // auto-setup reads the path relative to /etc/temporal; the file is mounted there from compose/.
    const mount = (temporal.volumes ?? [])
      .map((v) => v.split(':'))
      .find(([, target]) => target === `/etc/temporal/${path}`);
    assert.ok(mount, `a volume mounts the file DYNAMIC_CONFIG_FILE_PATH names (${path})`);
    const file = parse(readFileSync(join(PROJECT_ROOT, 'compose', mount[0]!), 'utf8')) as Record<
      string,
      { value: unknown }[]
    >;
    const values = Object.fromEntries(Object.entries(file).map(([key, entries]) => [key, entries[0]!.value]));
    assert.deepEqual(values, TEMPORAL_DYNAMIC_CONFIG);
  });

  it("describes the topology of the embedded stack's production profile: versions, PostgreSQL, Temporal's databases, MLflow's backend store", () => {
    assert.equal(imageTag('postgresql'), String(P.postgresMajor), "the same PostgreSQL major as Debian's");
    assert.equal(`v${imageTag('temporal')}`, P.temporalServerVersion, 'the Temporal server version setup builds');
    assert.equal(`v${imageTag('temporal-ui')}`, P.uiServerVersion, 'the Web UI server version setup builds');
    const pg = compose.services.postgresql!.environment!;
    assert.equal(pg.POSTGRES_USER, P.postgresUser);
    assert.equal(defaultOf(pg.POSTGRES_PASSWORD), POSTGRES_DEFAULTS.password);
    const temporal = compose.services.temporal!.environment!;
    assert.equal(temporal.DB, P.sqlPlugin);
    assert.equal(temporal.POSTGRES_SEEDS, 'postgresql');
    assert.equal(temporal.POSTGRES_USER, P.postgresUser);
    assert.equal(temporal.POSTGRES_PWD, pg.POSTGRES_PASSWORD);
    assert.equal(temporal.DBNAME, P.databases.temporal);
    assert.equal(temporal.VISIBILITY_DBNAME, P.databases.visibility);
    assert.equal(
      Number(temporal.NUM_HISTORY_SHARDS),
      P.numHistoryShards,
      'history shards are fixed when the schema is made',
    );
    // MLflow on the same PostgreSQL, in a database the postgres image's init script makes.
    const mlflow = compose.services.mlflow!;
    const inCompose = {
      host: '127.0.0.1',
      port: Number(temporal.DB_PORT),
      user: P.postgresUser,
      password: POSTGRES_DEFAULTS.password,
    } as const;
    assert.equal(
      withDefaults(mlflow.environment!.MLFLOW_BACKEND_STORE_URI).replace('@postgresql:', '@127.0.0.1:'),
      postgresUrl(inCompose, P.databases.mlflow),
    );
    assert.match(
      mounted('postgresql', '/docker-entrypoint-initdb.d/tidemark.sql'),
      new RegExp(`^CREATE DATABASE ${P.databases.mlflow};$`, 'm'),
    );
    assert.ok(
      mlflow.command!.includes(`"psycopg[binary]==${P.psycopgVersion}"`),
      'the same PostgreSQL driver as the embedded MLflow',
    );
    assert.ok(
      !mlflow.command!.includes('--backend-store-uri'),
      'the backend store comes from MLFLOW_BACKEND_STORE_URI only',
    );
  });

  it('gives its Temporal server the dynamic config the production profile writes for its own', () => {
    const path = String(compose.services.temporal!.environment!.DYNAMIC_CONFIG_FILE_PATH);
    assert.deepEqual(
      parse(mounted('temporal', `/etc/temporal/${path}`)),
      parse(dynamicConfigYaml(TEMPORAL_DYNAMIC_CONFIG)),
    );
  });
});
