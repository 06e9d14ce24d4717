// Run with `node --test scripts/`: the import-cycle check behind `npm run cycles`, on made-up repositories.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const script = join(dirname(fileURLToPath(import.meta.url)), 'cycles.mjs');

/** A throwaway repository holding `files` (path → source). */
function repository(files) {
  const root = mkdtempSync(join(tmpdir(), 'cairn-cycles-'));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), source);
  }
  return root;
}

const check = (root) => spawnSync(process.execPath, [script, root], { encoding: 'utf8' });

test('a cycle through a type-only import fails the check and names the files on the loop', () => {
  const root = repository({
    'packages/core/src/schema.ts':
      "import { isGroup } from './group.js';\nexport type Group = { type: 'all' };\nexport { isGroup };\n",
    'packages/core/src/group.ts':
      "import type { Group } from './schema.js';\nexport const isGroup = (n: Group) => n.type === 'all';\n",
    'packages/core/src/other.ts': "import { isGroup } from './schema.js';\nexport { isGroup };\n",
  });
  const result = check(root);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /import cycle \(2 files\)/);
  assert.match(result.stderr, /packages\/core\/src\/group\.ts/);
  assert.match(result.stderr, /packages\/core\/src\/schema\.ts/);
  assert.doesNotMatch(result.stderr, /other\.ts/);
});

test('a loop of three files across folders and an index import is found once', () => {
  const root = repository({
    'apps/api/src/a.ts': "import { b } from './b/index.js';\nexport const a = () => b;\n",
    'apps/api/src/b/index.ts': "export { b } from '../c.js';\n",
    'apps/api/src/c.ts': "import { a } from './a.js';\nexport const b = a;\n",
  });
  const result = check(root);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /import cycle \(3 files\)/);
  assert.match(result.stderr, /^1 import cycle/m);
});

test('imports that only point one way pass, packages by name are not followed', () => {
  const root = repository({
    'packages/db/src/due.ts': "import { z } from 'zod';\nexport const due = z;\n",
    'packages/db/src/sweep.ts': "import { due } from './due.js';\nexport const sweep = due;\n",
    'packages/db/src/index.ts': "export * from './due.js';\nexport * from './sweep.js';\n",
  });
  const result = check(root);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /no import cycle in 3 source files/);
});

test('this repository has no import cycle', () => {
  const result = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
});
