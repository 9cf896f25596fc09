import { chmodSync, existsSync, rmSync } from 'node:fs';
import { execa } from 'execa';
import { ENV } from '../../common/env.js';
import type { TidemarkConfig } from '../../common/config.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';
import { PROJECT_ROOT, stackPaths, type StackPaths } from '../../scripts/stack/paths.js';
import { productionLaneMissing } from '../../scripts/setup/production-stages.js';
import { processesMentioning } from './processes.js';
import { tempDir } from './temp.js';

/**
 * A production-profile stack of a test file's own (Temporal server on PostgreSQL, MinIO, MLflow),
 * on ports and in a state folder of its own, driven through `npm run stack` as a person would; the
 * rest of the suite keeps the default dev-server stack. Only the Docker engine is shared.
 *
 * Ports from `q`: Temporal q..q+10 (frontend, history, matching, worker, membership, HTTP), its Web
 * UI q+11, MinIO q+12 and q+13, MLflow q+14, PostgreSQL q+15, the console q+16.
 */
export class ProductionStack {
  readonly stateDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly config: TidemarkConfig;
  readonly paths: StackPaths;

  constructor(
    name: string,
    readonly q: number,
  ) {
    this.stateDir = tempDir(name);
    // PostgreSQL runs as the postgres account, which must reach its folder in here.
    chmodSync(this.stateDir, 0o755);
    this.env = {
      ...process.env,
      [ENV.stateDir]: this.stateDir,
      [ENV.temporalAddress]: `127.0.0.1:${q}`,
      [ENV.temporalUiUrl]: `http://127.0.0.1:${q + 11}`,
      [ENV.s3Endpoint]: `http://127.0.0.1:${q + 12}`,
      [ENV.minioConsoleUrl]: `http://127.0.0.1:${q + 13}`,
      [ENV.mlflowTrackingUri]: `http://127.0.0.1:${q + 14}`,
      [ENV.postgresPort]: String(q + 15),
      [ENV.consoleAddress]: `127.0.0.1:${q + 16}`,
      [ENV.consoleUrl]: '',
      [ENV.stackProfile]: '',
    };
    this.config = resolveConfig({}, this.env);
    this.paths = stackPaths(this.env);
  }

  /** What the production setup lane has not built yet (`npm run setup -- --profile production`). */
  missing(): Promise<string[]> {
    return productionLaneMissing(this.paths);
  }

  /** `npm run stack -- <args>` against this stack: output and exit code, never a throw. */
  async stack(...args: string[]): Promise<{ exitCode: number; output: string }> {
    const r = await execa(process.execPath, ['--import', 'tsx', 'scripts/stack.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: this.env,
      all: true,
      reject: false,
    });
    return { exitCode: r.exitCode ?? -1, output: r.all ?? '' };
  }

  /** Starts the production profile from nothing, or throws with the stack's output. */
  async up(): Promise<void> {
    const up = await this.stack('--profile', 'production', '--detach');
    if (up.exitCode !== 0) throw new Error(`the production profile did not start:\n${up.output}`);
  }

  /** Stops whatever of it runs, kills what outlived the stop, and removes its state. */
  async down(): Promise<void> {
    if (!existsSync(this.paths.runDir)) return; // never started
    await this.stack('--stop');
    for (const pid of processesMentioning(this.stateDir))
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}

/** The suite's Temporal port: production stacks of test files take ports below it. */
export const suiteTemporalPort = (config: TidemarkConfig) => Number(config.temporal.address.split(':')[1]);
