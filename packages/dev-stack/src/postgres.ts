import { spawn, spawnSync } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { logTail, startService, type ManagedService } from './services.js';

/** Who runs initdb and postgres; undefined means the current user. */
export interface PostgresUser {
  uid: number;
  gid: number;
}

/**
 * PostgreSQL refuses to run as root, so as root its cluster belongs to the system's `postgres` user.
 * Cairn does not create that user: adding system accounts is the machine owner's call.
 */
export function postgresUser(): PostgresUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      "PostgreSQL refuses to run as root, and this machine has no 'postgres' user to run it as.\n" +
        '  How to fix: create one (`useradd --system --user-group postgres`), run Cairn as another user, or use CAIRN_ENGINE=ferretdb-sqlite.',
    );
  }
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** `postgres (PostgreSQL) 18.4` → `PostgreSQL 18.4`, for the stack's banner. */
export function postgresVersion(bin: string): string {
  const out = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '';
  const match = /PostgreSQL\)?\s+([\d.]+)/.exec(out);
  return match ? `PostgreSQL ${match[1]}` : 'PostgreSQL';
}

/**
 * Creates a cluster in `dir` unless one is already there. As root, `dir` is created by root and handed to
 * the postgres user, because that user cannot create folders inside root's `.cairn/`.
 */
export async function initCluster(options: {
  bin: string;
  dir: string;
  user?: PostgresUser;
  logFile: string;
  /** Skip initdb's fsync for stacks whose data is thrown away anyway (saves about 1.5 s per start). */
  durable: boolean;
}): Promise<void> {
  const { dir, user } = options;
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  mkdirSync(dir, { recursive: true });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    const reach = spawnSync('test', ['-w', dir], { uid: user.uid, gid: user.gid });
    if (reach.status !== 0) {
      throw new Error(
        `The 'postgres' user cannot write ${dir}: one of its parent folders is not searchable by other users.\n` +
          '  How to fix: `chmod o+x` the parent folders, or set CAIRN_HOME to a folder that user can reach (e.g. /tmp/cairn).',
      );
    }
  }
  const args = [
    '-D',
    dir,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-instructions',
  ];
  if (!options.durable) args.push('--no-sync');
  mkdirSync(dirname(options.logFile), { recursive: true });
  const fd = openSync(options.logFile, 'a');
  const initdb = spawn(join(dirname(options.bin), 'initdb'), args, {
    stdio: ['ignore', fd, fd],
    uid: user?.uid,
    gid: user?.gid,
  });
  closeSync(fd);
  const code = await new Promise<number | null>((resolve, reject) => {
    initdb.once('error', reject);
    initdb.once('exit', (c) => resolve(c));
  });
  if (code !== 0)
    throw new Error(`initdb failed (exit code ${code}) for ${dir}.\n${logTail(options.logFile)}`);
}

/** Starts the cluster's server on a loopback port; the caller waits on `ready` (as pg_ctl -w does). */
export function startPostgres(options: {
  bin: string;
  dir: string;
  port: number;
  user?: PostgresUser;
  runDir: string;
  logDir: string;
  readyTimeoutMs: number;
}): { service: ManagedService; url: string; ready: () => Promise<void> } {
  const args = [
    '-D',
    options.dir,
    '-p',
    String(options.port),
    '-h',
    '127.0.0.1',
    // No Unix socket: its default folder (/var/run/postgresql) may not exist or be writable here.
    '-k',
    '',
  ];
  let service: ManagedService | undefined = undefined;
  const ready = async () => {
    if (!service || !postmasterReady(options.dir, service.pid))
      throw new Error('PostgreSQL is not accepting connections yet');
  };
  service = startService({
    name: 'postgres',
    command: options.bin,
    args,
    runDir: options.runDir,
    logDir: options.logDir,
    uid: options.user?.uid,
    gid: options.user?.gid,
    stopSignal: 'SIGINT',
    ready,
    readyTimeoutMs: options.readyTimeoutMs,
  });
  // initdb's only role is `postgres`, trusted on loopback; FerretDB keeps each MongoDB database as a schema.
  return { service, url: `postgres://postgres@127.0.0.1:${options.port}/postgres`, ready };
}

/** The postmaster writes "ready" on line 8 of postmaster.pid once it accepts connections. */
function postmasterReady(dir: string, pid: number): boolean {
  try {
    const lines = readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n');
    return Number(lines[0]) === pid && lines[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}
