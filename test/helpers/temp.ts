import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Every temp folder tempDir made in this process, removed when the process exits. */
const made = new Set<string>();
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * A new temp folder (`<tmp>/tidemark-<prefix>-XXXXXX`), outside the repository: the one way tests
 * make temp folders. It is removed when the test process exits, if the test has not removed it.
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `tidemark-${prefix}-`));
  made.add(dir);
  return dir;
}

/** A temp folder per test file (or describe block), made before its tests and removed after them; `file` writes a file in it. */
export function tempFolder(prefix: string): {
  dir: () => string;
  file: (name: string, text: string) => Promise<string>;
} {
  let dir = '';
  before(() => {
    dir = tempDir(prefix);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    made.delete(dir);
  });
  return {
    dir: () => dir,
    async file(name, text) {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
  };
}
