import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_ROOT } from '../stack/paths.js';
import { locateTools } from '../stack/tools.js';
import { aptInstall, type SetupStage } from './stage.js';

const WEB = join(PROJECT_ROOT, 'console', 'web');
const DIST = join(PROJECT_ROOT, 'console', 'dist');
const STAMP = join(DIST, '.source-hash');
/** Debian's Chromium, which the console's browser tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** Every file under `dir` (sorted, relative to the project), for hashing. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

/** A hash of what the front end is built from: its sources, the shared types it imports, and the locked packages. */
export function webSourceHash(): string {
  const h = createHash('sha256');
  for (const f of [...files(WEB), ...files(join(PROJECT_ROOT, 'common')), join(PROJECT_ROOT, 'package-lock.json')])
    h.update(relative(PROJECT_ROOT, f)).update(readFileSync(f));
  return h.digest('hex');
}

/** Builds console/web into console/dist with Vite, skipped when the sources are what the last build was made from. */
export function consoleWebStage(): SetupStage {
  return {
    name: 'console-web',
    fix: 'Run `npm ci` (Vite and React come from the npm registry), then `npm run setup` again; the log has the build error.',
    async done() {
      const built = existsSync(STAMP) ? readFileSync(STAMP, 'utf8').trim() : undefined;
      return built === webSourceHash() ? 'console/dist matches its sources' : undefined;
    },
    async run(ctx) {
      const hash = webSourceHash();
      await ctx.exec('nice', [
        process.execPath,
        join(PROJECT_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'),
        'build',
        '--config',
        join(WEB, 'vite.config.ts'),
        '--logLevel',
        'warn',
      ]);
      writeFileSync(STAMP, `${hash}\n`);
    },
  };
}

/**
 * Debian's Chromium (the console's tests drive it with playwright-core; no browser download) and
 * Debian's Prometheus (`npm run stack -- --with prometheus`).
 */
export function browserAndPrometheusStage(): SetupStage {
  const missing = () => [
    ...(existsSync(CHROMIUM) ? [] : ['chromium']),
    ...(locateTools().prometheus ? [] : ['prometheus']),
  ];
  return {
    name: 'chromium-prom',
    fix: "Needs root and Debian's package mirror (apt-get install chromium prometheus); see the log.",
    async done() {
      return missing().length === 0 ? `${CHROMIUM} and ${locateTools().prometheus}` : undefined;
    },
    async run(ctx) {
      await aptInstall(ctx, missing());
    },
  };
}
