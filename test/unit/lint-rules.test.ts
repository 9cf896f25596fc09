import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { PROJECT_ROOT } from '../../scripts/stack/paths.js';

/**
 * The project's lint config without type information: the import rules need none, and building
 * typescript-eslint's project service for the whole project costs about a minute. The
 * type-aware rules are checked in the config itself (the last test); `npm run lint` runs them.
 */
const eslint = new ESLint({ cwd: PROJECT_ROOT, overrideConfig: [tseslint.configs.disableTypeChecked] });
/** The project's lint config as it is, for reading which rules apply where. */
const projectConfig = new ESLint({ cwd: PROJECT_ROOT });

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
    // Type-aware, over a TypeScript program of the snippet alone rather than the whole project.
    const file = join(PROJECT_ROOT, 'activities', 'floating-snippet.ts');
    const code = 'async function f(): Promise<void> {}\nexport function g(): void {\n  f();\n}\n';
    const options = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, strict: true, noEmit: true };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (name) => (name === file ? code : readFile(name));
    host.fileExists = (name) => name === file || ts.sys.fileExists(name);
    host.getSourceFile = (name, version, ...rest) =>
      name === file ? ts.createSourceFile(name, code, version) : getSourceFile(name, version, ...rest);
    const program = ts.createProgram([file], options, host);
    const typed = new ESLint({
      cwd: PROJECT_ROOT,
      overrideConfig: { languageOptions: { parserOptions: { projectService: false, programs: [program] } } },
    });
    const [result] = await typed.lintText(code, { filePath: file });
    const found = result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
    assert.ok(
      found.some((p) => p.startsWith('@typescript-eslint/no-floating-promises')),
      found.join('\n'),
    );
  });

  it('forbid floating and misused promises in every folder', async () => {
    for (const file of [
      'activities/index.ts',
      'workflows/pipeline/pipeline.ts',
      'workers/plugin.ts',
      'cli/main.ts',
      'lib/artifacts/minio-store.ts',
      'scripts/stack/stack.ts',
      'test/unit/lint-rules.test.ts',
    ]) {
      const config = (await projectConfig.calculateConfigForFile(join(PROJECT_ROOT, file))) as {
        rules: Record<string, unknown[]>;
        languageOptions: { parserOptions: { projectService?: unknown } };
      };
      for (const rule of ['@typescript-eslint/no-floating-promises', '@typescript-eslint/no-misused-promises'])
        assert.equal(config.rules[rule]?.[0], 2, `${rule} is an error in ${file}`);
      assert.equal(
        config.languageOptions.parserOptions.projectService,
        true,
        `${file} is linted with type information`,
      );
    }
  });
});
