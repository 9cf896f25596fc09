import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ENV } from '../../common/env.js';
import { TIDEMARK_SEARCH_ATTRIBUTES } from '../../common/search-attributes.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { StackSettingsError } from '../../scripts/stack/errors.js';
import { PINS, PROJECT_ROOT, stackPaths } from '../../scripts/stack/paths.js';
import { profileServices, resolveProfile, SERVICE_NAMES } from '../../scripts/stack/profile.js';
import { postgresSettings, PRODUCTION_TOPOLOGY as P } from '../../scripts/stack/production-topology.js';
import {
  SQL_PASSWORD_ENV,
  temporalServerConfigYaml,
  temporalServerPorts,
  uiServerConfigYaml,
} from '../../scripts/stack/services/temporal-server-config.js';

interface ServerConfig {
  persistence: {
    numHistoryShards: number;
    defaultStore: string;
    visibilityStore: string;
    datastores: Record<string, { sql: Record<string, unknown> }>;
  };
  services: Record<string, { rpc: { grpcPort: number } }>;
  publicClient: { hostPort: string };
  dynamicConfigClient: { filepath: string };
}

/** The server config as Temporal renders it: the template's password expression replaced by a value. */
function rendered(yamlText: string, password: string): ServerConfig {
  return parse(
    yamlText.replaceAll(`{{ env "${SQL_PASSWORD_ENV}" | quote }}`, JSON.stringify(password)),
  ) as ServerConfig;
}

describe("the production profile's settings (no services)", () => {
  it('builds the server from the module graph of the Temporal CLI setup builds, at the pinned versions', () => {
    const goMod = readFileSync(join(PROJECT_ROOT, 'scripts', 'setup', 'temporal-server', 'go.mod'), 'utf8');
    const required = (module: string) =>
      goMod.match(new RegExp(`^\\s*${module.replaceAll('.', '\\.')} (v\\S+)`, 'm'))?.[1];
    assert.equal(required(P.temporalServerModule), P.temporalServerVersion);
    assert.equal(required(P.uiServerModule), P.uiServerVersion);
    assert.equal(required('github.com/temporalio/cli'), PINS.temporalCliVersion);
  });

  it("derives every server port from TEMPORAL_ADDRESS, membership ports within PostgreSQL's smallint", () => {
    assert.deepEqual(temporalServerPorts('127.0.0.1:7233'), {
      host: '127.0.0.1',
      frontend: 7233,
      http: 7243,
      history: 7236,
      matching: 7237,
      worker: 7238,
      membership: { frontend: 7239, history: 7240, matching: 7241, worker: 7242 },
    });
    const high = temporalServerPorts('127.0.0.1:37233');
    assert.equal(high.frontend, 37233);
    for (const port of Object.values(high.membership))
      assert.ok(port <= 32767 && port > 1024, `membership port ${port}`);
    assert.equal(new Set(Object.values(high.membership)).size, 4);
    // P+1 and P+2 (the Web UI and metrics in a port plan of neighbours) stay free.
    const used = [
      high.frontend,
      high.http,
      high.history,
      high.matching,
      high.worker,
      ...Object.values(high.membership),
    ];
    assert.ok(!used.includes(37234) && !used.includes(37235));
  });

  it("generates a server config on the stack's PostgreSQL, with the password read from the environment, not written", () => {
    const config = resolveConfig({ temporal: { address: '127.0.0.1:16233' } }, {});
    const pg = postgresSettings({ [ENV.postgresPort]: '16260', [ENV.postgresPassword]: 'not-in-the-file' });
    const text = temporalServerConfigYaml(config, pg, '/state/dynamic-config.yaml');
    assert.ok(!text.includes('not-in-the-file'));
    assert.match(text.split('\n')[0]!, /enable-template/, 'Temporal renders it as a template');
    const server = rendered(text, pg.password);
    assert.equal(server.persistence.numHistoryShards, P.numHistoryShards);
    const stores = server.persistence.datastores;
    assert.deepEqual(
      [
        stores[server.persistence.defaultStore]!.sql.databaseName,
        stores[server.persistence.visibilityStore]!.sql.databaseName,
      ],
      [P.databases.temporal, P.databases.visibility],
    );
    for (const store of Object.values(stores)) {
      assert.deepEqual(
        [store.sql.pluginName, store.sql.connectAddr, store.sql.user, store.sql.password],
        [P.sqlPlugin, '127.0.0.1:16260', P.postgresUser, 'not-in-the-file'],
      );
    }
    assert.equal(server.services.frontend!.rpc.grpcPort, 16233);
    assert.equal(server.publicClient.hostPort, '127.0.0.1:16233');
    assert.equal(server.dynamicConfigClient.filepath, '/state/dynamic-config.yaml');
  });

  it('puts the Web UI server on TEMPORAL_UI_URL, in front of TEMPORAL_ADDRESS', () => {
    const ui = parse(
      uiServerConfigYaml(
        resolveConfig({ temporal: { address: '127.0.0.1:16233', uiUrl: 'http://127.0.0.1:16280' } }, {}),
      ),
    );
    assert.deepEqual(
      [ui.temporalGrpcAddress, ui.host, ui.port, ui.enableUi],
      ['127.0.0.1:16233', '127.0.0.1', 16280, true],
    );
  });

  it('reads the PostgreSQL port and password from the environment, and refuses a port that is not one', () => {
    assert.deepEqual(postgresSettings({}), {
      host: '127.0.0.1',
      port: 55432,
      user: P.postgresUser,
      password: 'tidemark-dev-secret',
    });
    assert.equal(postgresSettings({ [ENV.postgresPort]: '35432' }).port, 35432);
    assert.throws(
      () => postgresSettings({ [ENV.postgresPort]: 'abc' }),
      (err: Error) => err instanceof StackSettingsError && err.message.includes(ENV.postgresPort),
    );
  });

  it('picks the profile from the flag, else TIDEMARK_STACK_PROFILE, else dev, and names the choices for a wrong one', () => {
    assert.equal(resolveProfile(undefined, {}), 'dev');
    assert.equal(resolveProfile(undefined, { [ENV.stackProfile]: 'production' }), 'production');
    assert.equal(resolveProfile('dev', { [ENV.stackProfile]: 'production' }), 'dev');
    assert.throws(
      () => resolveProfile('prod', {}),
      /--profile prod is not a stack profile\. Fix: use one of dev, production/,
    );
  });

  it('runs the same services in both profiles (the optional ones included) except PostgreSQL and the Web UI server, which only the production profile has', () => {
    const config = resolveConfig({}, {});
    const dev = profileServices('dev', config, stackPaths());
    const production = profileServices('production', config, stackPaths());
    assert.deepEqual([...dev.keys()].sort(), [
      'console',
      'dockerd',
      'kubernetes',
      'minio',
      'mlflow',
      'prometheus',
      'temporal',
    ]);
    assert.deepEqual([...production.keys()].sort(), [...SERVICE_NAMES].sort());
    assert.deepEqual(production.get('temporal')!.after, ['postgres']);
    assert.ok(production.get('mlflow')!.after.includes('postgres'));
  });

  it("fits Tidemark's search attributes into the custom slots of advanced visibility on PostgreSQL", () => {
    const used = new Map<string, number>();
    for (const key of TIDEMARK_SEARCH_ATTRIBUTES) used.set(key.type, (used.get(key.type) ?? 0) + 1);
    for (const [type, count] of used) {
      const slots = (P.visibilitySlots as Record<string, number>)[type] ?? 0;
      assert.ok(count <= slots, `${count} ${type} search attributes, PostgreSQL visibility has ${slots} slots`);
    }
  });
});
