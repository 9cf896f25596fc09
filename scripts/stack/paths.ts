import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENV } from '../../common/env.js';
import { resolveConfig } from '../../lib/config/resolve-config.js';

/** The project's root folder (where package.json is). */
export const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Pinned versions of the tools setup builds or installs. */
export const PINS = {
  temporalCliModule: 'github.com/temporalio/cli/cmd/temporal',
  temporalCliVersion: 'v1.5.1',
  minioModule: 'github.com/minio/minio',
  // RELEASE.2025-10-15T17-29-55Z is not served by the Go module proxy ("not available");
  // this is the pseudo-version the proxy serves as the module's latest commit.
  minioVersion: 'v0.0.0-20260212201848-7aac2a2c5b7c',
  mlflowVersion: '3.17.2',
  boto3Version: '1.44.5',
} as const;

export interface StackPaths {
  /** Data, logs and pid files of the embedded stack (git-ignored). */
  stateDir: string;
  /** Built tools, cached across clones so a second setup is fast. */
  toolsDir: string;
  binDir: string;
  logsDir: string;
  runDir: string;
  mlflowVenv: string;
}

export function stackPaths(env: NodeJS.ProcessEnv = process.env): StackPaths {
  // The same state folder the worker and the CLI use (TIDEMARK_STATE_DIR, else ./.tidemark).
  const stateDir = resolveConfig({}, env, PROJECT_ROOT).state.dir;
  const toolsDir = resolve(env[ENV.toolsDir] ?? join(homedir(), '.cache', 'tidemark'));
  return {
    stateDir,
    toolsDir,
    binDir: join(toolsDir, 'bin'),
    logsDir: join(stateDir, 'logs'),
    runDir: join(stateDir, 'run'),
    mlflowVenv: join(toolsDir, `mlflow-${PINS.mlflowVersion}`),
  };
}
