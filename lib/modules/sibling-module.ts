import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/**
 * Modules that name a sibling source file by URL (a workflows entry for the bundler, a module
 * preloaded into the workflow sandbox, the inference thread's entry) run in two shapes: as
 * TypeScript under tsx in development (`foo.ts` beside `bar.ts`), and as the compiled package
 * (`foo.js` beside `bar.js` in dist/). The sibling has the caller's own extension.
 */

/** True when `base` (a caller's `import.meta.url`) is a TypeScript source run through tsx. */
export function runsFromSource(base: string | URL): boolean {
  return /\.[cm]?ts$/.test(new URL(base).pathname);
}

/** The URL of the module `relative` (a path without extension) beside `base`, with `base`'s extension. */
export function siblingModule(base: string | URL, relative: string): URL {
  return new URL(`${relative}${runsFromSource(base) ? '.ts' : '.js'}`, base);
}

/**
 * A worker thread running the module at `url`. A compiled module starts as it is; a TypeScript
 * source (development) starts through tsx-thread.mjs, which registers tsx's loader inside the
 * thread first: Node 20 does not pass the parent's loader on to worker threads. tsx is a
 * development dependency, so only the source shape uses it.
 */
export function startModuleWorker(url: URL): Worker {
  if (!runsFromSource(url)) return new Worker(url);
  return new Worker(new URL('./tsx-thread.mjs', import.meta.url), { argv: [url.href] });
}

/**
 * True when the module at `base` (its `import.meta.url`) is the process's entry: run as
 * `node file.js`, `tsx file.ts`, or through an npm bin, which is a symbolic link to it.
 */
export function isProcessEntry(base: string | URL): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return new URL(base).href === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}
