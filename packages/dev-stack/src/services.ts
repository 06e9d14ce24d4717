import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Asks the OS for a free loopback port, preferring `preferred` when it is free. */
export async function freePort(preferred?: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        const chosen = typeof address === 'object' && address ? address.port : undefined;
        server.close(() => resolve(chosen));
      });
    });
  if (preferred) {
    const port = await tryListen(preferred);
    if (port) return port;
  }
  const port = await tryListen(0);
  if (!port) throw new Error('no free loopback port could be found');
  return port;
}

export interface ManagedService {
  name: string;
  pid: number;
  logFile: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts a service whose output goes to a log file, remembering its pid so a later run can clean up. */
export function startService(options: {
  name: string;
  command: string;
  args: string[];
  runDir: string;
  logDir: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}): ManagedService {
  mkdirSync(options.logDir, { recursive: true });
  mkdirSync(options.runDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (!child.pid) throw new Error(`${options.name}: could not start ${options.command}`);
  const pidFile = join(options.runDir, `${options.name}.json`);
  writeFileSync(pidFile, JSON.stringify({ pid: child.pid, owner: process.pid, command: options.command }));
  let stopping: Promise<void> | undefined;
  return {
    name: options.name,
    pid: child.pid,
    logFile,
    child,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          if (!(await waitForExit(child, 10_000))) {
            child.kill('SIGKILL');
            await waitForExit(child, 5_000);
          }
        }
        rmSync(pidFile, { force: true });
      })();
      return stopping;
    },
  };
}

/**
 * Kills services left behind by a run of the same stack whose owner died without cleaning up
 * (kill -9, a closed terminal), so their ports and data files are free again.
 */
export async function reapOrphans(runDir: string, log: (line: string) => void): Promise<void> {
  if (!existsSync(runDir)) return;
  const { readdirSync } = await import('node:fs');
  for (const file of readdirSync(runDir)) {
    if (!file.endsWith('.json')) continue;
    const path = join(runDir, file);
    try {
      const record = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; owner: number; command: string };
      if (isAlive(record.owner) && record.owner !== process.pid) continue; // another live stack owns it
      if (isAlive(record.pid) && cmdlineOf(record.pid).includes(record.command)) {
        log(`stopping ${file.replace('.json', '')} (pid ${record.pid}) left over from an earlier run`);
        process.kill(record.pid, 'SIGTERM');
        for (let i = 0; i < 50 && isAlive(record.pid); i++) await new Promise((r) => setTimeout(r, 200));
        if (isAlive(record.pid)) process.kill(record.pid, 'SIGKILL');
      }
    } catch {
      // unreadable record: nothing we can safely kill
    }
    rmSync(path, { force: true });
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Polls `check` until it resolves, failing with the service's log tail if it exits or times out. */
export async function waitUntilReady(
  service: ManagedService,
  check: () => Promise<void>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (let delay = 100; ; delay = Math.min(delay * 1.5, 1000)) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`${service.name} exited while starting (code ${service.child.exitCode ?? service.child.signalCode}).\n${logTail(service.logFile)}`);
    }
    try {
      await check();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${service.name} did not become ready within ${timeoutMs / 1000}s: ${String(lastError)}\n${logTail(service.logFile)}`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}

export function logTail(file: string, lines = 20): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return `--- last lines of ${file} ---\n${text.slice(-lines).join('\n')}`;
  } catch {
    return `(no log at ${file})`;
  }
}
