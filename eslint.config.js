// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import unicorn from 'eslint-plugin-unicorn';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/results/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true } },
    plugins: { unicorn, 'import-x': importX },
    rules: {
      'no-console': 'error',
      'unicorn/filename-case': ['error', { case: 'kebabCase' }],
      'unicorn/prefer-node-protocol': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: './src/transports',
              from: './src/backends',
              message: 'Transports never know about backends.',
            },
            { target: './src/backends', from: ['./src/gateway', './src/transports', './src/pipelines'] },
            { target: './src/gateway', from: ['./src/transports', './src/cli.ts'] },
            { target: './src/pipelines', from: ['./src/transports', './src/backends', './src/cli.ts'] },
            { target: './src/config', from: ['./src/gateway', './src/transports', './src/backends'] },
            {
              target: ['./src/errors.ts', './src/logger.ts'],
              from: './src',
              except: ['./errors.ts', './logger.ts'],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/gateway/**', 'src/pipelines/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'node:child_process', message: 'Only backends/child-transport.ts spawns.' },
            { name: 'node:http', message: 'HTTP belongs to transports/.' },
            { name: 'execa', message: 'Only backends/child-transport.ts spawns.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/logger.ts', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Example and fixture servers speak MCP on stdout: only stderr is theirs to write.
    files: ['examples/**', 'test/fixtures/**'],
    rules: { 'no-console': ['error', { allow: ['error'] }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: globals.node },
  },
  prettier,
);
