import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Makes `dir` hold exactly `files` (name → text): writes them and removes any other file a previous start left. */
export function writeConfigDir(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir).filter((n) => !(n in files)))
    rmSync(join(dir, name), { recursive: true, force: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}
