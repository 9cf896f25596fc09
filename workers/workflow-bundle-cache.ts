import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode, type WorkflowBundlePath } from '@temporalio/worker';
import type { TidemarkPlugin } from './plugin.js';
import { TIDEMARK_WORKFLOWS } from './workflows-entry.js';

/** The folders whose files go into Tidemark's workflow bundle (workflows import only common/). */
const BUNDLED_FOLDERS = ['workflows', 'common'];

/** Every file below `dir`, sorted, with its bytes hashed into `hash`. */
function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) hashTree(hash, path);
    else hash.update(name).update(readFileSync(path));
  }
}

/** A key of what the bundle is made of: the workflow and common sources (or compiled files) and the SDK's version. */
function bundleKey(): string {
  const root = dirname(dirname(TIDEMARK_WORKFLOWS));
  const hash = createHash('sha256');
  for (const folder of BUNDLED_FOLDERS) hashTree(hash, join(root, folder));
  const sdk = JSON.parse(readFileSync(new URL(import.meta.resolve('@temporalio/worker/package.json')), 'utf8')) as {
    version: string;
  };
  return hash.update(sdk.version).digest('hex').slice(0, 16);
}

/**
 * Tidemark's workflows bundled once and kept in the bundle folder, so that a worker that starts
 * again (after a crash, a deploy) polls within a second or two instead of after the bundler's
 * several seconds. The bundle is made again whenever the workflow code or the SDK changes. Only
 * for a worker without workflows of its own (with them, the worker bundles both, as usual).
 */
export async function prebuiltWorkflowBundle(plugin: TidemarkPlugin): Promise<WorkflowBundlePath> {
  const dir = plugin.config.state.bundleDir;
  const codePath = join(dir, `tidemark-workflows-${bundleKey()}.js`);
  if (!existsSync(codePath)) {
    const { code } = await bundleWorkflowCode({
      workflowsPath: TIDEMARK_WORKFLOWS,
      plugins: [plugin],
      logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    });
    mkdirSync(dir, { recursive: true });
    const part = `${codePath}.${process.pid}.part`;
    writeFileSync(part, code);
    renameSync(part, codePath); // whole or absent: two workers starting at once both write it
  }
  return { codePath };
}
