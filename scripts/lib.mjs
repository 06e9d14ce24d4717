// Helpers shared by `npm start`, `npm test`, `npm run faults` and `npm run bench`. Plain Node only: these run before
// dependencies are installed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.env.TURBO_TELEMETRY_DISABLED = '1';
process.env.DO_NOT_TRACK = '1';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function log(message) {
  console.log(`\x1b[36m[cairn]\x1b[0m ${message}`);
}

export function runSync(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const error = new Error(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`,
    );
    error.exitCode = result.status ?? 1;
    throw error;
  }
}

/** Installs dependencies when node_modules is missing or older than package-lock.json. */
export function ensureDependencies() {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const stale =
    !existsSync(marker) ||
    (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000);
  if (!stale) return;
  log('installing dependencies (npm ci) ...');
  runSync(
    'npm',
    existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'],
  );
}

export function spawnChild(name, command, args, env) {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `\x1b[35m[${name}]\x1b[0m `;
  const forward = (stream, out) => {
    let buffer = '';
    stream.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) out.write(prefix + line + '\n');
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  return child;
}

/**
 * Runs a test command, echoing its output, and adds up jest's "Tests:" lines, so `npm test` and
 * `npm run faults` can end with one plain summary line any CI can read. It also times each group of tests:
 * the embedded stack's start (until it prints where its services are) and each turbo task (`pkg:test:`
 * lines; tasks run one after another, so first to last line is that task's time).
 */
export function runCountingTests(command, args, cwd = root, env = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const totals = { passed: 0, failed: 0, skipped: 0 };
    const groups = [];
    const byName = new Map();
    let buffer = '';
    const seen = (name) => {
      const now = Date.now();
      let group = byName.get(name);
      if (!group) {
        const previous = groups[groups.length - 1];
        group = { name, from: previous ? previous.to : started, to: now, ms: 0 };
        byName.set(name, group);
        groups.push(group);
      }
      group.to = now;
      group.ms = group.to - group.from;
    };
    const scan = (chunk, out) => {
      out.write(chunk);
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const raw of lines) {
        const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
        if (!byName.has('embedded stack start') && /^MongoDB protocol /.test(line))
          seen('embedded stack start');
        const task = /^(@?[\w./-]+):(test|faults?):/.exec(line);
        if (task) seen(task[1]);
        const m = /Tests:\s+(.*\d+ total)/.exec(line);
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
    child.on('exit', (code) => resolve({ code: code ?? 1, totals, groups }));
  });
}
