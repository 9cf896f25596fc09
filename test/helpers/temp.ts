import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A temp folder per test file, removed after it; `file` writes a file in it. */
export function tempFolder(prefix: string): {
  dir: () => string;
  file: (name: string, text: string) => Promise<string>;
} {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), `tidemark-${prefix}-`));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
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
