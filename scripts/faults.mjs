// `npm run faults`: build what the drills run (API, worker, dev-stack), then run the fault suite in
// packages/faults. Each drill starts its own stack, so no stack is started here. Pass a file name to run
// one drill: `npm run faults -- worker-kill`.
import { ensureDependencies, log, root, runCountingTests, runSync } from './lib.mjs';

const extra = process.argv.slice(2);

const started = Date.now();
try {
  ensureDependencies();
  log('building the API, the worker and the dev stack ...');
  runSync('npx', [
    'turbo',
    'run',
    'build',
    '--output-logs=errors-only',
    '--filter=@cairn/api',
    '--filter=@cairn/worker',
    '--filter=@cairn/dev-stack',
  ]);
  log('running the fault drills (each starts its own stack) ...');
  const { code, totals } = await runCountingTests(
    'npx',
    ['jest', '--runInBand', ...extra],
    `${root}/packages/faults`,
  );
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  log(`fault drills took ${minutes} min`);
  // One plain closing line that any CI can read.
  console.log(`\nfaults: ${totals.passed} passed, ${totals.failed} failed`);
  if (code !== 0 || totals.failed > 0 || totals.passed === 0) process.exit(code || 1);
} catch (error) {
  console.error(`\n[cairn] npm run faults failed: ${error.message}`);
  console.log('faults: 0 passed, 1 failed');
  process.exit(error.exitCode ?? 1);
}
