/**
 * Setup stages of the stack's `production` profile (docs/production.md): the Temporal
 * server, its SQL tool and the Web UI server built from their Go modules, Debian's PostgreSQL,
 * and MLflow's PostgreSQL driver. Not part of the default `npm run setup`: `npm run setup --
 * --profile production` adds the lane (a cold build costs minutes of CPU that only the
 * production profile's users and tests need; see docs/production.md).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StackPaths } from '../stack/paths.js';
import { postgresBinDir, TEMPORAL_SERVER_BINARIES } from '../stack/production-tools.js';
import { PRODUCTION_TOPOLOGY } from '../stack/production-topology.js';
import { onPath } from '../stack/tools.js';
import { aptInstall, type SetupStage } from './stage.js';

/**
 * The Go module (go.mod, go.sum) the server is built in. It requires the Temporal CLI that the
 * temporal-cli stage builds, so the server's dependencies resolve to the CLI's versions and most
 * packages come out of Go's build cache instead of being compiled again.
 */
const BUILD_MODULE = fileURLToPath(new URL('./temporal-server/', import.meta.url));

/**
 * Build flags. `-s -w` drops the symbol table and DWARF data (smaller binaries, a shorter link).
 * No `-trimpath`: it is part of the compiler's cache key, so with it not one package would come
 * from the cache the CLI's build filled (measured: see docs/production.md).
 * CGO_ENABLED=0 as for the CLI, for the same reason (and static binaries).
 */
const GO_BUILD_FLAGS = ['-mod=readonly', '-ldflags=-s -w'];
const GO_ENV = { GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' };

const pinFile = (paths: StackPaths, binary: string) => join(paths.binDir, `.${binary}.pin`);

export function temporalServerStage(paths: StackPaths): SetupStage {
  const binaries = TEMPORAL_SERVER_BINARIES;
  const built = (name: keyof typeof binaries) => {
    const file = pinFile(paths, binaries[name].binary);
    return (
      existsSync(join(paths.binDir, binaries[name].binary)) &&
      existsSync(file) &&
      readFileSync(file, 'utf8').trim() === binaries[name].pin
    );
  };
  return {
    name: 'temporal-server',
    fix: 'Check that Go (>= 1.25) is installed and the Go module proxy answers; the log shows the failing package. The dev-server profile does not need this stage.',
    async done() {
      const names = Object.keys(binaries) as (keyof typeof binaries)[];
      return names.every(built) ? `built ${binaries.server.pin}, ${binaries.ui.pin}` : undefined;
    },
    async run(ctx) {
      if (!onPath('go')) throw new Error('Go is not installed');
      // Built beside the tools, then moved into place, so a build that fails halfway leaves the
      // previous binaries (or none) and never a half-written one.
      const staging = mkdtempSync(join(paths.binDir, '.build-temporal-server-'));
      try {
        const build = async (outDir: string, packages: string[]) => {
          await ctx.exec('go', ['build', ...GO_BUILD_FLAGS, '-o', `${outDir}/`, ...packages], {
            env: GO_ENV,
            cwd: BUILD_MODULE,
          });
        };
        // One build per module: both of the server's programs link in one go; the UI server's
        // main package has the same name as the server's, so it needs an output folder of its own.
        await build(staging, [binaries.server.package, binaries.sqlTool.package]);
        await build(join(staging, 'ui'), [binaries.ui.package]);
        for (const entry of Object.values(binaries)) {
          renameSync(join(staging, entry.output), join(paths.binDir, entry.binary));
          writeFileSync(pinFile(paths, entry.binary), `${entry.pin}\n`);
        }
      } finally {
        rmSync(staging, { recursive: true, force: true });
      }
    },
  };
}

export function postgresStage(): SetupStage {
  const major = PRODUCTION_TOPOLOGY.postgresMajor;
  return {
    name: 'postgresql',
    fix: `Install Debian's PostgreSQL ${major} (\`apt-get install postgresql-${major}\`), or run setup as root so it can. The dev-server profile does not need it.`,
    async done() {
      return existsSync(join(postgresBinDir(), 'postgres')) ? `PostgreSQL ${major} in ${postgresBinDir()}` : undefined;
    },
    async run(ctx) {
      // Only the binaries: the stack runs a cluster of its own, never the system's.
      await aptInstall(ctx, [`postgresql-${major}`]);
    },
  };
}

/** MLflow's PostgreSQL driver (psycopg with its binary build), in the venv the mlflow stage made. */
export function mlflowPostgresDriverStage(paths: StackPaths): SetupStage {
  const version = PRODUCTION_TOPOLOGY.psycopgVersion;
  const distInfos = [`psycopg-${version}.dist-info`, `psycopg_binary-${version}.dist-info`];
  return {
    name: 'mlflow-postgres',
    fix: 'Check that PyPI answers; then run `npm run setup -- --profile production` again. The dev-server profile does not need this stage.',
    async done() {
      const lib = join(paths.mlflowVenv, 'lib');
      const site = existsSync(lib) ? readdirSync(lib).map((py) => join(lib, py, 'site-packages')) : [];
      const installed = distInfos.every((d) => site.some((dir) => existsSync(join(dir, d))));
      return installed ? `psycopg[binary] ${version} in ${paths.mlflowVenv}` : undefined;
    },
    async run(ctx) {
      await ctx.exec(join(paths.mlflowVenv, 'bin', 'pip'), [
        'install',
        '--disable-pip-version-check',
        `psycopg[binary]==${version}`,
      ]);
    },
  };
}

/**
 * The production profile's lane. It runs after the default lanes, so the server build reads the
 * Go cache the Temporal CLI's build filled and the driver goes into the venv the mlflow stage made.
 */
export function productionLane(paths: StackPaths): SetupStage[] {
  return [temporalServerStage(paths), postgresStage(), mlflowPostgresDriverStage(paths)];
}

/** The names of the production lane's stages whose result is missing (none: the profile can start). */
export async function productionLaneMissing(paths: StackPaths): Promise<string[]> {
  const missing: string[] = [];
  for (const stage of productionLane(paths)) if (!(await stage.done().catch(() => undefined))) missing.push(stage.name);
  return missing;
}
