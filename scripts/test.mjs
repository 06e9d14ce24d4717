// `npm test`: install, build, start a throwaway embedded stack, run every package's tests
// (unit + integration + browser), stop everything, and exit non-zero on any failure.
import { ensureDependencies, log, root, runSync } from './lib.mjs';
import { join } from 'node:path';

const extra = process.argv.slice(2); // e.g. `npm test -- --filter=@cairn/api`

try {
  ensureDependencies();
  log('building ...');
  runSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
  log('type-checking ...');
  runSync('npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']);
  log('linting ...');
  runSync('npx', ['turbo', 'run', 'lint', '--output-logs=errors-only']);
  log('starting the embedded stack and running the tests ...');
  runSync('node', [
    join(root, 'packages/dev-stack/dist/cli.js'),
    'exec',
    '--',
    'npx', 'turbo', 'run', 'test', '--concurrency=1', '--continue', ...extra,
  ]);
  log('all tests passed');
} catch (error) {
  console.error(`\n[cairn] npm test failed: ${error.message}`);
  process.exit(error.exitCode ?? 1);
}
