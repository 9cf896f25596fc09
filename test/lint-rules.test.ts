import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { PROJECT_ROOT } from '../scripts/stack/paths';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(PROJECT_ROOT, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint rules', () => {
  it('forbid Node built-ins in workflow code', async () => {
    const found = await problems('workflows/index.ts', "import { readFileSync } from 'node:fs';\nimport os from 'os';\nexport const x = [readFileSync, os];\n");
    assert.ok(found.some((p) => p.includes("'node:fs'")), found.join('\n'));
    assert.ok(found.some((p) => p.includes("'os'")), found.join('\n'));
  });

  it('forbid activity implementations in workflow code but allow their types', async () => {
    const found = await problems('workflows/index.ts', "import { createActivities } from '../activities';\nexport const x = createActivities;\n");
    assert.ok(found.some((p) => p.includes('proxyActivities')), found.join('\n'));
    assert.deepEqual(await problems('workflows/index.ts', "import type { TidemarkActivities } from '../activities';\nexport type X = TidemarkActivities;\n"), []);
  });

  it('keep Node out of the shared types in common/', async () => {
    const found = await problems('common/env.ts', "import { join } from 'node:path';\nexport const x = join;\n");
    assert.ok(found.length > 0);
  });

  it('forbid floating promises everywhere', async () => {
    const found = await problems('activities/index.ts', 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n');
    assert.ok(found.some((p) => p.startsWith('@typescript-eslint/no-floating-promises')), found.join('\n'));
  });
});
