// Shared flat config: type-aware rules stay off so lint is fast on 2 cores.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.cairn/**', '**/*.cjs', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    files: ['packages/core/src/**', 'packages/workflows/src/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'mongoose', 'express', '@cairn/db', '@temporalio/client', '@temporalio/worker'] }],
    },
  },
);
