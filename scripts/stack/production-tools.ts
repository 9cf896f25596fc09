import { join } from 'node:path';
import type { StackPaths } from './paths.js';
import { PRODUCTION_TOPOLOGY as P } from './production-topology.js';
import { ToolMissingError } from './tools.js';

/** The programs setup builds for the production profile: package, go build's output name, installed name, pin. */
export const TEMPORAL_SERVER_BINARIES = {
  server: {
    package: `${P.temporalServerModule}/cmd/server`,
    output: 'server',
    binary: 'temporal-server',
    pin: `${P.temporalServerModule}@${P.temporalServerVersion}`,
  },
  sqlTool: {
    package: `${P.temporalServerModule}/cmd/tools/sql`,
    output: 'sql',
    binary: 'temporal-sql-tool',
    pin: `${P.temporalServerModule}@${P.temporalServerVersion}`,
  },
  ui: {
    package: `${P.uiServerModule}/cmd/server`,
    output: 'ui/server',
    binary: 'temporal-ui-server',
    pin: `${P.uiServerModule}@${P.uiServerVersion}`,
  },
} as const;

/** Debian's PostgreSQL programs (initdb, postgres, psql, pg_isready). */
export function postgresBinDir(): string {
  return `/usr/lib/postgresql/${P.postgresMajor}/bin`;
}

/** The path of one of the built programs; throws naming the fix when setup has not built it. */
export function productionTool(paths: StackPaths, name: keyof typeof TEMPORAL_SERVER_BINARIES): string {
  return join(paths.binDir, TEMPORAL_SERVER_BINARIES[name].binary);
}

export function missingProductionTool(what: string): ToolMissingError {
  return new ToolMissingError(
    what,
    'run `npm run setup -- --profile production` (it builds the Temporal server and installs PostgreSQL for the production profile)',
  );
}
