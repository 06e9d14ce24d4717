import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');

/**
 * A real Cairn process (the API or the worker) run from its build, so `kill9()` is a real SIGKILL
 * with nothing flushed, and `start()` brings up a fresh one with the same environment.
 */
export class CairnProcess {
  child: ChildProcess | undefined;
  /** How many times it was killed with SIGKILL. */
  kills = 0;

  constructor(
    readonly name: string,
    private readonly script: string,
    private readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  start(): void {
    if (this.running) return;
    const fd = openSync(this.logFile, 'a');
    const { MONGO_URL: _m, TEMPORAL_ADDRESS: _t, ...inherited } = process.env;
    this.child = spawn(process.execPath, [join(repoRoot, this.script)], {
      cwd: repoRoot,
      env: { ...inherited, ...this.env },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
  }

  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.kills += 1;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something truthy, or fails naming what it waited for. */
/**
 * Like `eventually`, for work that moves at the machine's pace (a fold catching up on a loaded CI box):
 * gives up only when `progress()` has not changed for `stallMs`, or after `capMs` in all.
 */
export async function whileProgressing(
  what: string,
  done: () => Promise<boolean>,
  progress: () => Promise<number>,
  stallMs: number,
  capMs: number,
  everyMs = 2_000,
): Promise<void> {
  const started = Date.now();
  let last = await progress();
  let lastChange = Date.now();
  for (;;) {
    if (await done()) return;
    const now = await progress();
    if (now !== last) {
      last = now;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > stallMs)
      throw new Error(`no progress for ${stallMs / 1000}s waiting for ${what} (at ${last})`);
    if (Date.now() - started > capMs)
      throw new Error(`timed out after ${capMs / 1000}s waiting for ${what} (at ${last})`);
    await sleep(everyMs);
  }
}

export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`,
      );
    await sleep(everyMs);
  }
}
