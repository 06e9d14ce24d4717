// Shared flat config: type-aware rules stay off so lint is fast on 2 cores.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.cairn/**', '**/*.cjs', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    files: ['packages/core/src/**', 'packages/workflows/src/**', 'packages/contract/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            'node:*',
            'mongoose',
            'express',
            '@cairn/db',
            '@temporalio/client',
            '@temporalio/worker',
          ],
        },
      ],
    },
  },
  // The client module starts workflows from Node processes; the sandboxed bundle never imports it.
  {
    files: ['packages/workflows/src/client.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['node:*', 'mongoose', 'express', '@cairn/db', '@temporalio/worker'] },
      ],
    },
  },
  // One storage seam (docs/storage.md): apps ask @cairn/db's repository functions; only packages/db builds
  // queries or knows the engine. Tests stay outside: they may read raw storage to check what was stored.
  {
    files: ['apps/*/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['mongoose', 'mongoose/*', 'mongodb', 'mongodb/*'],
              message:
                'Only packages/db talks to the database: call a repository function from @cairn/db (add one there if none fits).',
            },
            {
              group: ['@cairn/db/*', '**/packages/db/**'],
              message: "Import @cairn/db's public entry, not its internals.",
            },
            {
              group: ['@cairn/db'],
              importNamePattern: 'Model$',
              message:
                'A mongoose model is a query builder: call a repository function from @cairn/db instead.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.property.name='collection']",
          message:
            'Collections are named only in packages/db: call a repository function from @cairn/db.',
        },
        {
          selector: "MemberExpression[property.name='db'][object.property.name='connection']",
          message:
            "The driver's handle stays in packages/db: call a repository function from @cairn/db.",
        },
      ],
    },
  },
);
