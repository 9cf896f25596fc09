/**
 * `npm run setup`: installs and builds everything the embedded stack needs, idempotently.
 * Each stage prints its duration; long builds log to .tidemark/logs/setup-<stage>.log; a failure
 * names the stage, shows the log's tail and says how to fix it.
 *   --profile production   also the production profile's lane (the Temporal server built from
 *                          its Go module, PostgreSQL, MLflow's driver), after the default lanes;
 *                          TIDEMARK_STACK_PROFILE=production asks for it too
 */
import { mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { Command } from 'commander';
import { resolveConfig } from '../lib/config/resolve-config.js';
import { productionLane } from './setup/production-stages.js';
import { resolveProfile } from './stack/profile.js';
import { PROJECT_ROOT, stackPaths } from './stack/paths.js';
import { StageContext, type SetupStage } from './setup/stage.js';
import { setupLanes } from './setup/stages.js';

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Failure {
  stage: SetupStage;
  error: Error;
  log: string;
}

async function runLane(stages: SetupStage[], logsDir: string, failures: Failure[]): Promise<void> {
  for (const stage of stages) {
    const t0 = Date.now();
    let skipped: string | undefined;
    try {
      skipped = await stage.done();
    } catch {
      skipped = undefined;
    }
    if (skipped) {
      console.log(`setup: ${stage.name.padEnd(16)} ok     ${secs(Date.now() - t0).padStart(8)}  (${skipped})`);
      continue;
    }
    const ctx = new StageContext(logsDir, stage.name);
    console.log(`setup: ${stage.name.padEnd(16)} running …  (log: ${relative(PROJECT_ROOT, ctx.logFile)})`);
    try {
      await stage.run(ctx);
      console.log(`setup: ${stage.name.padEnd(16)} built  ${secs(Date.now() - t0).padStart(8)}`);
    } catch (err) {
      failures.push({ stage, error: err as Error, log: ctx.logFile });
      console.log(`setup: ${stage.name.padEnd(16)} FAILED ${secs(Date.now() - t0).padStart(8)}`);
      return; // later stages of this lane depend on this one
    }
  }
}

const opts = new Command('setup')
  .option(
    '--profile <name>',
    'dev (default) or production: also build what the production profile needs; default: $TIDEMARK_STACK_PROFILE, else dev',
  )
  .parse()
  .opts<{ profile?: string }>();

async function main(): Promise<number> {
  const t0 = Date.now();
  const profile = resolveProfile(opts.profile);
  const config = resolveConfig();
  const paths = stackPaths();
  mkdirSync(paths.binDir, { recursive: true });
  mkdirSync(paths.logsDir, { recursive: true });
  const failures: Failure[] = [];
  await Promise.all(setupLanes(config, paths).map((lane) => runLane(lane, paths.logsDir, failures)));
  // After the default lanes: the server build reads the Go cache the Temporal CLI's build filled
  // (built side by side, the two would compile the same packages twice on the same cores).
  if (profile === 'production' && failures.length === 0) await runLane(productionLane(paths), paths.logsDir, failures);
  if (failures.length > 0) {
    for (const f of failures) {
      console.error(`\nsetup: stage "${f.stage.name}" failed: ${f.error.message}`);
      console.error(`  log: ${f.log}`);
      console.error(`  fix: ${f.stage.fix}`);
    }
    return 1;
  }
  console.log(
    `setup: done in ${secs(Date.now() - t0)} (tools in ${paths.toolsDir}, state in ${relative(PROJECT_ROOT, paths.stateDir) || '.'})`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`setup: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
