import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import rules of DESIGN.md §9, enforced rather than remembered.
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', '**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['bin/**/*.js', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', performance: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['protocol/**'],
    rules: restrict([
      {
        group: ['**/edge-service/**', '**/simulator/**', '**/device-app/**'],
        message: 'protocol/ imports nothing of ours',
      },
    ]),
  },
  {
    files: ['device-app/**'],
    rules: restrict([
      { group: ['**/edge-service/**', '**/simulator/**'], message: 'device-app/ imports only protocol/' },
    ]),
  },
  {
    files: ['simulator/**'],
    rules: restrict([
      { group: ['**/edge-service/**', '**/device-app/**'], message: 'simulator/ imports only protocol/' },
    ]),
  },
  {
    files: ['edge-service/**'],
    rules: restrict([{ group: ['**/simulator/**'], message: 'edge-service/ never imports simulator/' }]),
  },
  {
    files: ['edge-service/src/domain/**'],
    rules: restrict([
      { group: ['**/simulator/**'], message: 'edge-service/ never imports simulator/' },
      { group: ['express', 'ws', 'sharp', 'ipp'], message: 'the domain does not import adapters' },
    ]),
  },
);
