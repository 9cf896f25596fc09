// Lint rules: deterministic workflow code, every promise handled, and the layering of the folders.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

/** Folders of the project, and the folders each may import from (beside itself and npm packages). */
const RUNTIME = ['common', 'workflows', 'lib', 'plugins', 'activities', 'workers', 'client', 'cli', 'console'];
const ALL = [...RUNTIME, 'scripts', 'test', 'bench', 'examples'];
const MAY_IMPORT = {
  common: [],
  workflows: ['common'],
  lib: ['common'],
  plugins: ['common', 'lib'],
  activities: ['common', 'lib', 'plugins'],
  client: ['common', 'lib'],
  workers: ['common', 'lib', 'plugins', 'activities', 'workflows'],
  cli: ['common', 'lib', 'client', 'console'],
  // The console's server is client-side code; its pages (console/web, in the browser) see common/ only.
  console: ['common', 'lib', 'client'],
  'console/web': ['common'],
};

const layerMessage = (folder) =>
  `${folder}/ may import only from ${MAY_IMPORT[folder].map((f) => `${f}/`).join(', ') || 'itself'} ` +
  '(see the layout table in README.md); runtime code never imports scripts/, test/, bench/ or examples/.';

/** A relative import that climbs to the project root and enters one of `folders`. */
const intoFolders = (folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;
/** The project folders `folder` may not reach. */
const forbiddenFolders = (folder) => ALL.filter((f) => f !== folder && !MAY_IMPORT[folder].includes(f));

/** Imports that workflow code (and the shared types it imports) must never make. */
const nodeFree = [{ group: ['node:*'], message: 'No Node built-ins in deterministic code.' }];
const nodePaths = nodeBuiltins.map((name) => ({
  name,
  message: 'Workflow code runs in a deterministic sandbox: no Node built-ins. Move I/O into an activity.',
}));

const layerRule = (folder, { deterministic = false, typeOnly = [] } = {}) => ({
  files: [`${folder}/**/*.ts`, `${folder}/**/*.tsx`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        paths: deterministic ? nodePaths : [],
        patterns: [
          ...(deterministic ? nodeFree : []),
          ...(typeOnly.length
            ? [
                {
                  regex: intoFolders(typeOnly),
                  allowTypeImports: true,
                  message: `${folder}/ may import only types from ${typeOnly.join(', ')}/: workflows call activities through proxyActivities.`,
                },
              ]
            : []),
          {
            regex: intoFolders(forbiddenFolders(folder).filter((f) => !typeOnly.includes(f))),
            message: layerMessage(folder),
          },
          ...(folder === 'workflows'
            ? [
                {
                  group: [
                    '@temporalio/worker',
                    '@temporalio/client',
                    '@temporalio/activity',
                    'dockerode',
                    'minio',
                    'onnxruntime-node',
                    'pino',
                    'execa',
                  ],
                  message: 'Not available in the workflow sandbox.',
                },
              ]
            : []),
        ],
      },
    ],
  },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.tidemark/**',
      'dist/**',
      'examples/**/*.py',
      'test/fixtures/consumer/**',
      'console/dist/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  layerRule('common', { deterministic: true }),
  layerRule('workflows', { deterministic: true, typeOnly: ['activities'] }),
  layerRule('lib'),
  layerRule('plugins'),
  layerRule('activities'),
  layerRule('client', { typeOnly: ['workflows'] }),
  layerRule('workers'),
  layerRule('cli', { typeOnly: ['workflows'] }),
  layerRule('console', { typeOnly: ['workflows'] }),
  layerRule('console/web'),
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
