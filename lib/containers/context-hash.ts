import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Relative paths of every file below `root`, sorted. */
export async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else out.push(relative(root, full));
    }
  };
  await walk(root);
  return out.sort();
}

/**
 * A hash of a build context's content (every path and its bytes) and of the build settings, so
 * the same context always gets the same image tag and a changed byte gets a new one.
 */
export async function hashBuildContext(root: string, settings: unknown): Promise<string> {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(settings));
  for (const file of await listFiles(root)) {
    hash.update(`\0${file}\0`);
    for await (const chunk of createReadStream(join(root, file))) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
