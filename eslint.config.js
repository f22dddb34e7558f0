// `npm run lint` (with tsc and the clang-format check, scripts/lint.sh): eslint's recommended rules
// over every hand-written JS file, with the globals of where each file runs. Generated code
// (web/wasm), build outputs and dependencies are not linted.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['web/wasm/**', 'dist/**', 'build/**', 'node_modules/**', 'models/**'] },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // `_name` marks a value kept for its position (a callback argument, an array destructuring slot).
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' }],
      // Non-breaking spaces inside strings and templates are typography ("t = 36"), not mistakes.
      'no-irregular-whitespace': ['error', { skipStrings: true, skipTemplates: true }],
    },
  },
  { files: ['web/app/**/*.js'], languageOptions: { globals: { ...globals.browser, ...globals.worker } } },
  { files: ['web/app/sw.js'], languageOptions: { globals: { ...globals.serviceworker } } },
  { files: ['web/cli/**/*.js', 'web/vite.config.js', 'bench/**/*.js', 'scripts/**/*.js', 'tests/**/*.js', 'tests/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { ...globals.node } } },
  // The page-side callbacks of the browser tests (page.evaluate) run in the page.
  { files: ['tests/e2e/**/*.js'], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  // web/lib runs in Node (CLI, tests) and in the worker.
  { files: ['web/lib/**/*.js'], languageOptions: { globals: { ...globals.node, ...globals.worker } } },
];
