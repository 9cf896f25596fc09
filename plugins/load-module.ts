import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckerPlugin } from './api.js';
import { runsFromSource } from '../lib/modules/sibling-module.js';
import { PluginShapeError, PluginTypeScriptError } from './errors.js';

/** Loading user checker modules: by local path or npm package, then checking their shape. */

export function isPathSpecifier(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec.startsWith('file:') || isAbsolute(spec);
}

/** The file a specifier names: a path relative to `baseDir`, or a package resolved from `baseDir`'s node_modules. */
export function resolveSpecifier(spec: string, baseDir: string): string {
  if (isPathSpecifier(spec)) return resolve(baseDir, spec.replace(/^file:/, ''));
  const pkg = spec.replace(/^npm:/, '');
  return createRequire(join(baseDir, 'package.json')).resolve(pkg);
}

const MEMBERS: [keyof CheckerPlugin, string, (v: unknown) => boolean, boolean][] = [
  ['name', 'a non-empty string', (v) => typeof v === 'string' && v.length > 0, true],
  ['version', 'a string', (v) => typeof v === 'string', true],
  [
    'configSchema',
    'a zod schema (with safeParse)',
    (v) => typeof (v as { safeParse?: unknown } | undefined)?.safeParse === 'function',
    true,
  ],
  ['check', 'a function (batch, state, config, ctx) => Promise<report>', (v) => typeof v === 'function', true],
  ['fit', 'a function (reference, config, ctx) => Promise<state>', (v) => typeof v === 'function', false],
];

/** The module's default export (or the module itself) if it has every member of a checker plugin. */
export function asCheckerPlugin(mod: unknown, source: string): CheckerPlugin {
  const m = mod as Record<string, unknown> | undefined;
  const candidate = (m && typeof m.default === 'object' && m.default !== null ? m.default : m) as
    Record<string, unknown> | undefined;
  if (!candidate)
    throw new PluginShapeError(
      `${source} exports nothing; a checker plugin exports { name, version, configSchema, check, fit? }`,
    );
  for (const [key, what, ok, required] of MEMBERS) {
    const value = candidate[key];
    if (value === undefined && !required) continue;
    if (value === undefined)
      throw new PluginShapeError(`${source} is not a checker plugin: it has no "${key}" (${what})`);
    if (!ok(value))
      throw new PluginShapeError(`${source} is not a checker plugin: "${key}" must be ${what}, it is ${typeof value}`);
  }
  return candidate as unknown as CheckerPlugin;
}

/**
 * Imports a TypeScript module from the compiled package, which runs under plain node: through
 * tsx's `tsImport` (scoped to this one import), resolved from where Tidemark is installed, so the
 * tsx of the project that depends on Tidemark. tsx is not a dependency of the package: a project
 * that writes its checkers in TypeScript installs it (`npm install --save-dev tsx`), or compiles
 * them to JavaScript.
 */
async function importTypeScript(file: string, spec: string): Promise<unknown> {
  let tsx: { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  try {
    tsx = (await import('tsx/esm/api')) as typeof tsx;
  } catch {
    throw new PluginTypeScriptError(
      `checker module "${spec}" (${file}) is TypeScript, which plain node cannot load: install tsx in your project ` +
        '(npm install --save-dev tsx) or compile the checker to JavaScript and name the .js file',
    );
  }
  return tsx.tsImport(pathToFileURL(file).href, import.meta.url);
}

/**
 * Imports a checker module and checks its shape. A TypeScript file loads as it is under tsx
 * (development); from the compiled package it goes through tsx when the user's project has it.
 */
export async function loadCheckerModule(spec: string, baseDir: string): Promise<CheckerPlugin> {
  const file = resolveSpecifier(spec, baseDir);
  const typescript = /\.[cm]?ts$/.test(file) && !runsFromSource(import.meta.url);
  const mod: unknown = typescript ? await importTypeScript(file, spec) : await import(pathToFileURL(file).href);
  return asCheckerPlugin(mod, `checker module "${spec}" (${file})`);
}
