// `npm test`: install, build, type-check, lint, start a throwaway embedded stack, run every package's
// tests (unit + integration + browser), stop everything, and exit non-zero on any failure.
import { join } from 'node:path';
import { ensureDependencies, log, root, runCountingTests, runSync } from './lib.mjs';

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
  const { code, totals } = await runCountingTests('node', [
    join(root, 'packages/dev-stack/dist/cli.js'),
    'exec',
    '--',
    'npx', 'turbo', 'run', 'test', '--concurrency=1', '--continue', ...extra,
  ]);
  // One plain closing line that any CI can read.
  console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
  if (code !== 0 || totals.failed > 0) {
    console.error('[cairn] npm test failed');
    process.exit(code || 1);
  }
  if (totals.passed === 0) {
    console.error('[cairn] npm test ran no test');
    process.exit(1);
  }
  log('all tests passed');
} catch (error) {
  console.error(`\n[cairn] npm test failed: ${error.message}`);
  process.exit(error.exitCode ?? 1);
}
