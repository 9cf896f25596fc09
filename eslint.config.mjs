// Lint rules that keep Temporal workflow code deterministic, and every promise handled.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Imports that workflow code (and the shared types it imports) must never make. */
const deterministicImports = (extraPatterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', {
    paths: nodeBuiltins.map((name) => ({ name, message: 'Workflow code runs in a deterministic sandbox: no Node built-ins. Move I/O into an activity.' })),
    patterns: [
      { group: ['node:*'], message: 'No Node built-ins in deterministic code.' },
      ...extraPatterns,
    ],
  }],
});

export default tseslint.config(
  { ignores: ['node_modules/**', '.tidemark/**', 'examples/**/*.py', 'cli/bin.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: deterministicImports([
      {
        group: ['**/activities', '**/activities/**', '**/workers/**', '**/scripts/**', '**/cli/**', '**/plugins/**'],
        allowTypeImports: true,
        message: 'Workflows may import only types from activities; call them through proxyActivities.',
      },
      { group: ['@temporalio/worker', '@temporalio/client', '@temporalio/activity', 'dockerode', 'minio', 'onnxruntime-node', 'pino', 'execa'], message: 'Not available in the workflow sandbox.' },
    ]),
  },
  {
    files: ['common/**/*.ts'],
    rules: deterministicImports([
      { group: ['**/activities/**', '**/workers/**', '**/scripts/**', '**/cli/**', '**/workflows/**', '**/plugins/**'], message: 'common/ holds pure types and schemas; it imports nothing from the rest of the project.' },
    ]),
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
