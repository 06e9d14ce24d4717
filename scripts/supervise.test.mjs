// Run with `node --test scripts/`: the supervisor behind `npm start`, driven with real child processes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stateFile, supervise } from './supervise.mjs';

const node = (code) => () =>
  spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
const until = async (check, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('a crashing process is restarted with a growing backoff, its reason printed, and its state recorded', async () => {
  const lines = [];
  const file = join(mkdtempSync(join(tmpdir(), 'cairn-supervise-')), 'processes.json');
  const starts = [];
  const supervisor = supervise({
    name: 'api',
    start: () => {
      starts.push(Date.now());
      return node("setTimeout(() => { throw new Error('boom: one bad request') }, 30)")();
    },
    log: (line) => lines.push(line),
    initialBackoffMs: 100,
    onState: stateFile(file),
  });
  await until(() => starts.length >= 4);
  await supervisor.stop();
  const gaps = starts.slice(1).map((at, i) => at - starts[i]);
  // Each wait doubles: ~100, ~200, ~400 ms (plus the 30 ms the process lives and its start-up time).
  assert.ok(gaps[0] >= 100 && gaps[1] >= 200 && gaps[2] >= 400, `gaps ${gaps}`);
  // The waits themselves double (the gaps also hold each start-up, which a loaded machine stretches).
  const waits = lines
    .flatMap((l) => /restarting the api in ([\d.]+)s/.exec(l)?.[1] ?? [])
    .map(Number);
  assert.deepEqual(waits.slice(0, 3), [0.1, 0.2, 0.4], `waits ${waits}`);
  assert.match(lines[0], /^the api crashed \(code 1\): .*boom: one bad request/);
  assert.match(lines[1], /restarting the api in 0\.1s \(crash 1 in a row\)/);
  const countAfterStop = starts.length;
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(starts.length, countAfterStop, 'no restart after stop()');
  const state = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(state.api.name, 'api');
  assert.ok(['running', 'restarting'].includes(state.api.status));
});

test('stop() ends a running process for good, as Ctrl-C does', async () => {
  const lines = [];
  let starts = 0;
  const supervisor = supervise({
    name: 'worker',
    start: () => {
      starts += 1;
      return node('setInterval(() => {}, 1000)')();
    },
    log: (line) => lines.push(line),
    initialBackoffMs: 50,
  });
  const child = supervisor.child;
  await new Promise((r) => setTimeout(r, 200));
  await supervisor.stop();
  assert.equal(child.signalCode, 'SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(starts, 1);
  assert.deepEqual(lines, []);
});

test('a process that stayed up for a while starts again from the shortest backoff', async () => {
  const lines = [];
  let starts = 0;
  const supervisor = supervise({
    name: 'worker',
    // Lives 300 ms, longer than stableMs: every crash counts as the first in a row.
    start: () => {
      starts += 1;
      return node('setTimeout(() => process.exit(3), 300)')();
    },
    log: (line) => lines.push(line),
    initialBackoffMs: 100,
    stableMs: 200,
  });
  await until(() => starts >= 3);
  await supervisor.stop();
  const restarting = lines.filter((l) => l.startsWith('restarting'));
  assert.ok(restarting.length >= 2);
  for (const line of restarting) assert.match(line, /in 0\.1s \(crash 1 in a row\)/);
  assert.match(lines[0], /the worker crashed \(code 3\)/);
});
