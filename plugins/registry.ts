import type { CheckerPlugin } from './api.js';
import { BUILTIN_CHECKERS } from './builtins.js';
import { PluginNotFoundError } from './errors.js';
import { isPathSpecifier, loadCheckerModule } from './load-module.js';

/**
 * Finds a checker by name: a built-in, a registered user module (npm package or local path), a
 * registered container image, or a name that is itself a path (`./x.ts`), a package (`npm:x`)
 * or an image (`image:repo:tag`). Modules are imported on first use, never at registration.
 */

export type ResolvedChecker =
  | { kind: 'module'; name: string; plugin: CheckerPlugin }
  /** Runs as a container: reads /inputs/{reference,batch,state}, writes /outputs/report.json. */
  | { kind: 'container'; name: string; image: string };

export interface CheckerRegistryOptions {
  /** Built-ins (default: drift-autoencoder, feature-drift, integrity). */
  builtins?: readonly CheckerPlugin[];
  /** User plugin modules by npm package name or path; each is known by its exported `name`. */
  modules?: readonly string[];
  /** Container plugins: name → image. */
  containers?: Readonly<Record<string, string>>;
  /** Where paths and packages resolve from (default: the current directory). */
  baseDir?: string;
}

export interface CheckerRegistry {
  get(name: string): Promise<ResolvedChecker>;
  /** Every name `get` knows without being given a path, package or image. */
  names(): Promise<string[]>;
}

export function createCheckerRegistry(opts: CheckerRegistryOptions = {}): CheckerRegistry {
  const builtins = new Map((opts.builtins ?? BUILTIN_CHECKERS).map((p) => [p.name, p]));
  const containers = new Map(Object.entries(opts.containers ?? {}));
  const baseDir = opts.baseDir ?? process.cwd();
  const loaded = new Map<string, Promise<CheckerPlugin>>();
  const load = (spec: string) => {
    let p = loaded.get(spec);
    if (!p) {
      p = loadCheckerModule(spec, baseDir);
      loaded.set(spec, p);
      p.catch(() => loaded.delete(spec));
    }
    return p;
  };
  const registered = async () => {
    const out = new Map<string, CheckerPlugin>();
    for (const spec of opts.modules ?? []) {
      const plugin = await load(spec);
      out.set(plugin.name, plugin);
      out.set(spec, plugin);
    }
    return out;
  };
  const names = async () =>
    [...builtins.keys(), ...(await registered()).keys(), ...containers.keys()].filter(
      (n, i, all) => all.indexOf(n) === i,
    );

  return {
    names,
    async get(name) {
      const builtin = builtins.get(name);
      if (builtin) return { kind: 'module', name, plugin: builtin };
      const image = containers.get(name) ?? (name.startsWith('image:') ? name.slice('image:'.length) : undefined);
      if (image) return { kind: 'container', name, image };
      if (isPathSpecifier(name) || name.startsWith('npm:')) {
        try {
          return { kind: 'module', name, plugin: await load(name) };
        } catch (err) {
          if (
            (err as { code?: string }).code === 'MODULE_NOT_FOUND' ||
            (err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND'
          ) {
            throw new PluginNotFoundError(
              name,
              await names(),
              `cannot be found from ${baseDir}: ${(err as Error).message.split('\n')[0]}`,
            );
          }
          throw err;
        }
      }
      const plugin = (await registered()).get(name);
      if (plugin) return { kind: 'module', name, plugin };
      throw new PluginNotFoundError(name, await names());
    },
  };
}
