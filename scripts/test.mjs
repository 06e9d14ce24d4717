// `npm test`: install, build, type-check, lint, start a throwaway embedded stack, run every package's
// tests (unit + integration + browser), stop everything, and exit non-zero on any failure.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ensureDependencies, log, root, runSync } from './lib.mjs';

const extra = process.argv.slice(2); // e.g. `npm test -- --filter=@cairn/api`

/** Runs the test command, echoing its output, and adds up jest's "Tests:" lines for a closing summary. */
function runTests(args) {
  return new Promise((resolve) => {
    const child = spawn('node', args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const totals = { passed: 0, failed: 0, skipped: 0 };
    let buffer = '';
    const scan = (chunk, out) => {
      out.write(chunk);
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const m = /Tests:\s+(.*\d+ total)/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
        if (!m) continue;
        for (const [, n, kind] of m[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
          if (kind === 'passed') totals.passed += Number(n);
          else if (kind === 'failed') totals.failed += Number(n);
          else totals.skipped += Number(n);
        }
      }
    };
    child.stdout.on('data', (c) => scan(c, process.stdout));
    child.stderr.on('data', (c) => scan(c, process.stderr));
    child.on('exit', (code) => resolve({ code: code ?? 1, totals }));
  });
}

try {
  ensureDependencies();
  log('building ...');
  runSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
  log('type-checking ...');
  runSync('npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']);
  log('linting ...');
  runSync('npx', ['turbo', 'run', 'lint', '--output-logs=errors-only']);
  log('starting the embedded stack and running the tests ...');
  const { code, totals } = await runTests([
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
