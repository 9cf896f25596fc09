import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The step I/O helper's Go module (a static binary that runs in every step pod). */
export const STEP_IO_DIR = fileURLToPath(new URL('./step-io/', import.meta.url));
export const STEP_IO_REPOSITORY = 'tidemark/step-io';

/**
 * The helper's image with its content tag: a hash of the module's sources and its build script, so
 * setup builds it once per content, and the worker names exactly the helper its code expects.
 */
export function stepIoImage(): string {
  const files = readdirSync(STEP_IO_DIR)
    .filter((f) => f.endsWith('.go') || ['go.mod', 'go.sum', 'build.sh'].includes(f))
    .filter((f) => !f.endsWith('_test.go'))
    .sort();
  const h = createHash('sha256');
  for (const f of files)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(STEP_IO_DIR, f)))
      .update('\0');
  return `${STEP_IO_REPOSITORY}:${h.digest('hex').slice(0, 12)}`;
}
