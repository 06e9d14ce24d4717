import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
  /** The current process; `start()` after `stop()` replaces it (and `pid`). */
  pid: number;
  logFile: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /**
   * Starts the service again after `stop()` (or a crash) with the same command, ports and data, and
   * waits until it answers when a readiness check is known. Fault drills use it to take one service away.
   */
  start(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crash would. */
  kill(): Promise<void>;
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
  /** Run as this user and group (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** How `stop()` asks the service to end; PostgreSQL wants SIGINT, its fast shutdown (SIGTERM waits for clients). */
  stopSignal?: NodeJS.Signals;
  /** How `start()` knows the service is back; the first start is awaited by the caller. */
  ready?: () => Promise<void>;
  readyTimeoutMs?: number;
}): ManagedService {
  mkdirSync(options.logDir, { recursive: true });
  mkdirSync(options.runDir, { recursive: true });
  const logFile = join(options.logDir, `${options.name}.log`);
  const pidFile = join(options.runDir, `${options.name}.json`);
  const spawnChild = (): ChildProcess => {
    const fd = openSync(logFile, 'a');
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
      uid: options.uid,
      gid: options.gid,
    });
    closeSync(fd);
    if (!child.pid) throw new Error(`${options.name}: could not start ${options.command}`);
    writeFileSync(
      pidFile,
      JSON.stringify({
        pid: child.pid,
        owner: process.pid,
        command: options.command,
        stopSignal: options.stopSignal,
      }),
    );
    return child;
  };
  const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
  let stopping: Promise<void> | undefined;
  const service: ManagedService = {
    name: options.name,
    pid: 0,
    logFile,
    child: spawnChild(),
    stop() {
      const child = service.child;
      stopping ??= (async () => {
        if (!exited(child)) {
          child.kill(options.stopSignal ?? 'SIGTERM');
          if (!(await waitForExit(child, 10_000))) {
            child.kill('SIGKILL');
            await waitForExit(child, 5_000);
          }
        }
        rmSync(pidFile, { force: true });
      })();
      return stopping;
    },
    async kill() {
      const child = service.child;
      if (!exited(child)) {
        child.kill('SIGKILL');
        await waitForExit(child, 5_000);
      }
    },
    async start() {
      if (stopping) await stopping;
      if (!exited(service.child)) return;
      stopping = undefined;
      service.child = spawnChild();
      service.pid = service.child.pid as number;
      if (options.ready)
        await waitUntilReady(service, options.ready, options.readyTimeoutMs ?? 120_000);
    },
  };
  service.pid = service.child.pid as number;
  return service;
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
      const record = JSON.parse(readFileSync(path, 'utf8')) as {
        pid: number;
        owner: number;
        command: string;
        stopSignal?: NodeJS.Signals;
      };
      if (isAlive(record.owner) && record.owner !== process.pid) continue; // another live stack owns it
      if (isAlive(record.pid) && cmdlineOf(record.pid).includes(record.command)) {
        log(
          `stopping ${file.replace('.json', '')} (pid ${record.pid}) left over from an earlier run`,
        );
        process.kill(record.pid, record.stopSignal ?? 'SIGTERM');
        for (let i = 0; i < 50 && isAlive(record.pid); i++)
          await new Promise((r) => setTimeout(r, 200));
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
      throw new Error(
        `${service.name} exited while starting (code ${service.child.exitCode ?? service.child.signalCode}).\n${logTail(service.logFile)}`,
      );
    }
    try {
      await check();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${service.name} did not become ready within ${timeoutMs / 1000}s: ${String(lastError)}\n${logTail(service.logFile)}`,
      );
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
