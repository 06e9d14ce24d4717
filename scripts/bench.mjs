// `npm run bench [-- ingest segments designer]`: build, start a throwaway stack, run the benchmarks,
// and write their figures to bench/RESULTS.md.
import { join } from 'node:path';
import { ensureDependencies, log, root, runSync } from './lib.mjs';

try {
  ensureDependencies();
  runSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
  runSync('npx', ['tsc', '-p', 'bench/tsconfig.json']);
  log('running benchmarks on a throwaway embedded stack ...');
  runSync('node', [
    join(root, 'packages/dev-stack/dist/cli.js'),
    'exec',
    '--',
    'node',
    join(root, 'bench/run.mjs'),
    ...process.argv.slice(2),
  ]);
} catch (error) {
  console.error(`[cairn] npm run bench failed: ${error.message}`);
  process.exit(error.exitCode ?? 1);
}
