// `npm run faults`: build what the drills run (API, worker, dev-stack), then run the fault suite in
// packages/faults. Each drill starts its own stack, so no stack is started here. Pass a file name to run
// one drill: `npm run faults -- worker-kill`.
import { spawn } from 'node:child_process';
import { ensureDependencies, log, root, runSync } from './lib.mjs';

const extra = process.argv.slice(2);

/** Runs jest in packages/faults, echoing its output, and reads its "Tests:" line for the summary. */
function runSuite(args) {
  return new Promise((resolve) => {
    const child = spawn('npx', ['jest', ...args], { cwd: `${root}/packages/faults`, stdio: ['ignore', 'pipe', 'pipe'] });
    const totals = { passed: 0, failed: 0 };
    let buffer = '';
    const scan = (chunk, out) => {
      out.write(chunk);
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const m = /Tests:\s+(.*\d+ total)/.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
        if (!m) continue;
        for (const [, n, kind] of m[1].matchAll(/(\d+) (passed|failed)/g)) totals[kind] += Number(n);
      }
    };
    child.stdout.on('data', (c) => scan(c, process.stdout));
    child.stderr.on('data', (c) => scan(c, process.stderr));
    child.on('exit', (code) => resolve({ code: code ?? 1, totals }));
  });
}

const started = Date.now();
try {
  ensureDependencies();
  log('building the API, the worker and the dev stack ...');
  runSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only', '--filter=@cairn/api', '--filter=@cairn/worker', '--filter=@cairn/dev-stack']);
  log('running the fault drills (each starts its own stack) ...');
  const { code, totals } = await runSuite(['--runInBand', ...extra]);
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
