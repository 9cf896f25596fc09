import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(PROJECT_ROOT, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint rules', () => {
  it('forbid Node built-ins in workflow code', async () => {
    const found = await problems(
      'workflows/index.ts',
      "import { readFileSync } from 'node:fs';\nimport os from 'os';\nexport const x = [readFileSync, os];\n",
    );
    assert.ok(
      found.some((p) => p.includes("'node:fs'")),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.includes("'os'")),
      found.join('\n'),
    );
  });

  it('forbid activity implementations in workflow code but allow their types', async () => {
    const found = await problems(
      'workflows/index.ts',
      "import { createActivities } from '../activities/index.js';\nexport const x = createActivities;\n",
    );
    assert.ok(
      found.some((p) => p.includes('proxyActivities')),
      found.join('\n'),
    );
    assert.deepEqual(
      await problems(
        'workflows/index.ts',
        "import type { TidemarkActivities } from '../activities/index.js';\nexport type X = TidemarkActivities;\n",
      ),
      [],
    );
  });

  it('keep Node out of the shared types in common/', async () => {
    const found = await problems('common/env.ts', "import { join } from 'node:path';\nexport const x = join;\n");
    assert.ok(found.length > 0);
  });

  it('keep runtime code away from development scripts, tests and benchmarks', async () => {
    for (const file of [
      'workers/plugin.ts',
      'cli/main.ts',
      'activities/index.ts',
      'lib/config/resolve-config.ts',
      'plugins/api.ts',
    ]) {
      const depth = file.split('/').length - 1;
      const found = await problems(
        file,
        `import { Stack } from '${'../'.repeat(depth)}scripts/stack/stack.js';\nexport const x = Stack;\n`,
      );
      assert.ok(
        found.some((p) => p.includes('never imports scripts/')),
        `${file}: ${found.join('\n')}`,
      );
    }
  });

  it('let each layer import only the layers below it', async () => {
    const imports = async (file: string, target: string) =>
      problems(file, `import * as m from '${target}';\nexport const x = m;\n`);
    const layered = (found: string[]) => found.some((p) => p.includes('may import only from'));
    assert.ok(
      layered(await imports('lib/data/dataset.ts', '../../activities/errors.js')),
      'lib/ may not import activities/',
    );
    assert.ok(layered(await imports('lib/data/dataset.ts', '../../plugins/errors.js')), 'lib/ may not import plugins/');
    assert.ok(
      layered(await imports('plugins/api.ts', '../activities/index.js')),
      'plugins/ may not import activities/',
    );
    assert.ok(layered(await imports('client/client.ts', '../workers/plugin.js')), 'client/ may not import workers/');
    assert.ok(layered(await imports('workflows/index.ts', '../lib/data/dataset.js')), 'workflows/ may not import lib/');
    assert.deepEqual(await imports('activities/index.ts', '../lib/data/dataset.js'), []);
    assert.deepEqual(await imports('plugins/api.ts', '../lib/data/dataset.js'), []);
    assert.deepEqual(await imports('workers/plugin.ts', '../activities/index.js'), []);
    assert.deepEqual(await imports('lib/data/dataset.ts', '@temporalio/client'), []);
  });

  it('forbid floating promises everywhere', async () => {
    const found = await problems(
      'activities/index.ts',
      'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n',
    );
    assert.ok(
      found.some((p) => p.startsWith('@typescript-eslint/no-floating-promises')),
      found.join('\n'),
    );
  });
});
