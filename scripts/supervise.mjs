// Keeps one long-running process of `npm start` alive: a crash is printed with its reason and the process is
// started again after a backoff, while everything else (the database, Temporal, the other process) runs on.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const TAIL_LINES = 15;

/**
 * @param {object} options
 * @param {string} options.name              what the operator calls it: 'api', 'worker'
 * @param {() => import('node:child_process').ChildProcess} options.start  spawns it (its stderr must be piped)
 * @param {(line: string) => void} options.log
 * @param {number} [options.initialBackoffMs] first wait before a restart; doubles per crash in a row
 * @param {number} [options.maxBackoffMs]
 * @param {number} [options.stableMs]        up this long, a process counts as healthy again and the backoff resets
 * @param {(state: object) => void} [options.onState]  told of every change: running, restarting (with the crash)
 */
export function supervise({
  name,
  start,
  log,
  initialBackoffMs = 1000,
  maxBackoffMs = 30_000,
  stableMs = 60_000,
  onState = () => undefined,
}) {
  let child;
  let stopping = false;
  let timer;
  let crashesInARow = 0;
  let restarts = 0;
  let startedAt = 0;
  let exited = Promise.resolve();

  const launch = () => {
    child = start();
    startedAt = Date.now();
    const tail = [];
    child.stderr?.on('data', (chunk) => {
      for (const line of String(chunk).split('\n')) if (line.trim()) tail.push(line);
      tail.splice(0, Math.max(0, tail.length - TAIL_LINES));
    });
    onState({ name, status: 'running', pid: child.pid, restarts });
    exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        resolve();
        if (stopping) return;
        crashesInARow = Date.now() - startedAt >= stableMs ? 1 : crashesInARow + 1;
        const waitMs = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (crashesInARow - 1));
        const reason =
          tail
            .filter((line) => /error|exception|fatal|throw|killed|out of memory/i.test(line))
            .slice(-3)
            .join(' | ') ||
          tail.slice(-1)[0] ||
          'no output';
        const how = signal ? `signal ${signal}` : `code ${code}`;
        log(`the ${name} crashed (${how}): ${reason}`);
        log(
          `restarting the ${name} in ${(waitMs / 1000).toFixed(1)}s (crash ${crashesInARow} in a row); the other processes and the services keep running`,
        );
        onState({
          name,
          status: 'restarting',
          restarts,
          lastCrash: { at: new Date().toISOString(), exit: how, reason },
          retryAt: new Date(Date.now() + waitMs).toISOString(),
        });
        timer = setTimeout(() => {
          restarts += 1;
          launch();
        }, waitMs);
      }),
    );
  };
  launch();

  return {
    get child() {
      return child;
    },
    get restarts() {
      return restarts;
    },
    /** Stops it for good (Ctrl-C): no restart follows. */
    async stop(signal = 'SIGTERM') {
      stopping = true;
      clearTimeout(timer);
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Writes each supervised process's state where the API's /readyz reads it (CAIRN_SUPERVISOR_STATE_FILE). */
export function stateFile(path) {
  const states = {};
  return (state) => {
    states[state.name] = state;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(states, null, 2));
  };
}
