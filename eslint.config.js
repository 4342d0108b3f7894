// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeIoModules = [
  'fs',
  'fs/promises',
  'dns',
  'dns/promises',
  'net',
  'tls',
  'dgram',
  'http',
  'https',
  'child_process',
  'worker_threads',
];
const forbiddenIo = nodeIoModules.flatMap((m) => [m, `node:${m}`]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'examples/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // noUncheckedIndexedAccess makes `x[i]!` after a bounds check the honest way to say "checked".
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Module boundary (STYLE.md habit 3): checks and the simulator are pure; all I/O comes in through the context.
    files: ['src/checks/**/*.ts', 'src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: forbiddenIo.map((name) => ({
            name,
            message: 'src/checks and src/model are pure: take I/O through the context.',
          })),
          patterns: [
            {
              group: ['**/snapshot/read*', '**/cli/**', '**/profile/load*'],
              message: 'src/checks and src/model must not reach back upstream.',
            },
          ],
        },
      ],
    },
  },
  {
    // The plan reads the model, DNS and the assess facade; a decision it shares with a check lives below both
    // (issue 9 B4). test/plan/boundaries.test.ts holds the tree to it.
    files: ['src/plan/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/checks/**'],
              message:
                'src/plan imports no check file: move what it shares with a check into the model or dns/.',
            },
          ],
        },
      ],
    },
  },
);
