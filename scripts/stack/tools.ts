import { accessSync, constants, readFileSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { ENV } from '../../common/env.js';
import { readEnv } from '../../lib/config/resolve-config.js';
import { stackPaths, type StackPaths } from './paths.js';

/** Thrown when a tool the stack needs has not been installed yet. */
export class ToolMissingError extends Error {
  constructor(tool: string, fix: string) {
    super(`${tool} is not installed. Fix: ${fix}`);
    this.name = 'ToolMissingError';
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds `name` on PATH, like `which`. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export interface ToolLocations {
  temporal?: string;
  minio?: string;
  mlflow?: string;
  dockerd?: string;
  prometheus?: string;
}

/**
 * Where each tool is, in order of preference: an explicit environment variable, the tools folder
 * setup builds into, then PATH. Missing tools are left undefined.
 */
export function locateTools(env: NodeJS.ProcessEnv = process.env, paths: StackPaths = stackPaths(env)): ToolLocations {
  const pick = (...candidates: (string | undefined)[]) => candidates.find((p) => p !== undefined && isExecutable(p));
  return {
    temporal: pick(readEnv(env, ENV.temporalCli), join(paths.binDir, 'temporal'), onPath('temporal', env)),
    minio: pick(readEnv(env, ENV.minioBin), join(paths.binDir, 'minio'), onPath('minio', env)),
    mlflow: pick(join(paths.mlflowVenv, 'bin', 'mlflow')),
    dockerd: pick(onPath('dockerd', env), '/usr/bin/dockerd', '/usr/sbin/dockerd'),
    prometheus: pick(onPath('prometheus', env), '/usr/bin/prometheus'),
  };
}

/** The module@version setup built `binary` from, when setup built it (see setup's pin files). */
export function builtFrom(binary: string): string | undefined {
  try {
    return readFileSync(join(dirname(binary), `.${basename(binary)}.pin`), 'utf8').trim();
  } catch {
    return undefined;
  }
}
