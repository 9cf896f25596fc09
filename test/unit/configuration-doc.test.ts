import { strict as assert } from 'node:assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEPRECATED_ENV, ENV } from '../../common/env.js';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';

/** The first column of the table under `heading` in docs/configuration.md, as the rows name them. */
async function tableColumn(heading: string): Promise<string[][]> {
  const doc = await readFile(join(PROJECT_ROOT, 'docs', 'configuration.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith(heading));
  assert.ok(section, `docs/configuration.md has a "## ${heading}" section`);
  return section
    .split('\n')
    .filter((line) => /^\| `/.test(line))
    .map((line) => [...line.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
}

describe('docs/configuration.md', () => {
  it('lists every environment variable of ENV once, and nothing else', async () => {
    const listed = (await tableColumn('Environment variables')).map((names) => names[0]!);
    assert.deepEqual([...listed].sort(), [...Object.values(ENV)].sort());
    assert.equal(new Set(listed).size, listed.length);
  });

  it('lists every deprecated name with the variable that replaces it', async () => {
    const rows = await tableColumn('Deprecated names');
    assert.deepEqual(Object.fromEntries(rows.map(([old, now]) => [old, now])), { ...DEPRECATED_ENV });
  });
});
