import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { MongoClient } from 'mongodb';
import { embeddedEngine, SEARCH_ATTRIBUTES, type Engine } from '@cairn/config';
import { ensureBinary, VERSIONS, type ResolvedBinary } from './binaries.js';
import { cairnHome } from './paths.js';
import { initCluster, postgresUser, postgresVersion, startPostgres } from './postgres.js';
import {
  freePort,
  reapOrphans,
  startService,
  waitUntilReady,
  type ManagedService,
} from './services.js';

export interface StackOptions {
  /** Separates concurrent stacks (npm start uses 'dev', tests a throwaway one); each has its own data. */
  instance?: string;
  /** Wipe this instance's data before starting. */
  fresh?: boolean;
  /** Remove the data when the stack stops (tests). */
  ephemeral?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Start Temporal unless TEMPORAL_ADDRESS is set (default); false for callers that need only the database. */
  withTemporal?: boolean;
  /** Also make sure the time-skipping test server binary is installed (tests). */
  withTestServer?: boolean;
  readyTimeoutMs?: number;
}

export interface RunningStack {
  mongoUrl: string;
  /** What serves `mongoUrl`: an embedded engine (CAIRN_ENGINE), or 'external' when MONGO_URL was given. */
  engine: { name: Engine | 'external'; description: string };
  temporalAddress: string;
  temporalNamespace: string;
  /** Set when the stack started its own Temporal; absent when TEMPORAL_ADDRESS points elsewhere. */
  temporalUiUrl?: string;
  testServerBin?: string;
  services: ManagedService[];
  binaries: ResolvedBinary[];
  /** This instance's data (the engine's files are in `ferretdb/` or `postgres/`); gone after stop() when ephemeral. */
  dataDir: string;
  /** Environment variables that point a Cairn process at this stack. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

async function pingMongo(url: string): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1500, connectTimeoutMS: 1500 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function pingTemporal(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address, connectTimeout: 1500 });
  try {
    await connection.workflowService.describeNamespace({ namespace });
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Starts (or reuses, when MONGO_URL / TEMPORAL_ADDRESS are set) the services Cairn needs. */
export async function startStack(options: StackOptions = {}): Promise<RunningStack> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(`[stack] ${line}`));
  const home = cairnHome(env);
  const instance = options.instance ?? 'dev';
  const dataDir = instance === 'dev' ? join(home, 'data') : join(home, 'tmp', instance);
  const runDir = join(home, 'run', instance);
  const logDir = join(home, 'logs', instance);
  const namespace = env.TEMPORAL_NAMESPACE || 'default';
  const readyTimeoutMs = options.readyTimeoutMs ?? 120_000;

  await reapOrphans(runDir, log);
  if (options.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });

  const services: ManagedService[] = [];
  const binaries: ResolvedBinary[] = [];
  const stopAll = async () => {
    await Promise.all(services.map((s) => s.stop()));
    if (options.ephemeral) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    // Install everything first so a missing binary fails before any service starts.
    const wantFerret = !env.MONGO_URL;
    const wantTemporal = !env.TEMPORAL_ADDRESS && options.withTemporal !== false;
    const engine = embeddedEngine(env);
    if (!wantFerret && env.CAIRN_ENGINE)
      log(`CAIRN_ENGINE=${env.CAIRN_ENGINE} is ignored: MONGO_URL points at a server of your own`);
    const onPostgres = wantFerret && engine === 'ferretdb-postgres';
    const ferretBin = wantFerret ? ensureBinary('ferretdb', { home, env, log }) : undefined;
    const postgresBin = onPostgres ? ensureBinary('postgres', { home, env, log }) : undefined;
    const pgUser = onPostgres ? postgresUser() : undefined;
    const temporalBin = wantTemporal ? ensureBinary('temporal', { home, env, log }) : undefined;
    const testServerBin = options.withTestServer
      ? ensureBinary('temporal-test-server', { home, env, log })
      : undefined;
    for (const b of [ferretBin, postgresBin, temporalBin, testServerBin]) if (b) binaries.push(b);

    let mongoUrl = env.MONGO_URL ?? '';
    let temporalAddress = env.TEMPORAL_ADDRESS ?? '';
    let temporalUiUrl: string | undefined;
    const readiness: Promise<void>[] = [];

    if (ferretBin) {
      const ferretData = join(dataDir, 'ferretdb');
      mkdirSync(ferretData, { recursive: true });
      const startFerret = async (backend: string[]) => {
        const port = await freePort(instance === 'dev' ? 27027 : undefined);
        // FerretDB's debug listener (metrics, pprof, goroutine dumps) only when asked for: every port picked
        // here can be taken by a parallel stack before FerretDB binds it, and one fewer is one race fewer.
        const debugAddr =
          process.env.CAIRN_FERRETDB_DEBUG === '1' ? `127.0.0.1:${await freePort()}` : '-';
        const url = `mongodb://127.0.0.1:${port}/`;
        const service = startService({
          name: 'ferretdb',
          // Go's collector ran at the default 100 % heap growth took a fifth of FerretDB's CPU under ingest (pprof,
          // decision 036); its heap is tens of MiB, so letting it grow 4x before a cycle costs little memory.
          env: { ...process.env, GOGC: process.env.GOGC ?? '400' },
          ready: () => pingMongo(url),
          readyTimeoutMs,
          command: ferretBin.path,
          args: [
            ...backend,
            `--state-dir=${ferretData}`,
            `--listen-addr=127.0.0.1:${port}`,
            `--debug-addr=${debugAddr}`,
            '--telemetry=disable',
            '--log-level=warn',
          ],
          runDir,
          logDir,
        });
        services.push(service);
        mongoUrl = url;
        await waitUntilReady(service, () => pingMongo(url), readyTimeoutMs);
      };
      if (postgresBin) {
        readiness.push(
          (async () => {
            const dir = join(dataDir, 'postgres');
            await initCluster({
              bin: postgresBin.path,
              dir,
              user: pgUser,
              logFile: join(logDir, 'postgres-initdb.log'),
              durable: !options.ephemeral,
            });
            const pg = startPostgres({
              bin: postgresBin.path,
              dir,
              port: await freePort(),
              user: pgUser,
              runDir,
              logDir,
              readyTimeoutMs,
            });
            services.push(pg.service);
            await waitUntilReady(pg.service, pg.ready, readyTimeoutMs);
            await startFerret(['--handler=postgresql', `--postgresql-url=${pg.url}`]);
          })(),
        );
      } else {
        readiness.push(startFerret(['--handler=sqlite', `--sqlite-url=file:${ferretData}/`]));
      }
    }

    if (temporalBin) {
      const port = await freePort(instance === 'dev' ? 7233 : undefined);
      const uiPort = await freePort(instance === 'dev' ? 8233 : undefined);
      const httpPort = await freePort();
      const metricsPort = await freePort();
      const args = [
        'server',
        'start-dev',
        '--ip',
        '127.0.0.1',
        '--port',
        String(port),
        '--http-port',
        String(httpPort),
        '--metrics-port',
        String(metricsPort),
        '--db-filename',
        join(dataDir, 'temporal.db'),
        '--sqlite-pragma',
        'journal_mode=WAL',
        '--sqlite-pragma',
        'synchronous=OFF',
        '--namespace',
        namespace,
        '--log-level',
        'error',
      ];
      if (instance === 'dev') args.push('--ui-port', String(uiPort), '--ui-ip', '127.0.0.1');
      else args.push('--headless');
      for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES))
        args.push('--search-attribute', `${name}=${type}`);
      const address = `127.0.0.1:${port}`;
      const service = startService({
        name: 'temporal',
        command: temporalBin.path,
        args,
        runDir,
        logDir,
        ready: () => pingTemporal(address, namespace),
        readyTimeoutMs,
      });
      services.push(service);
      temporalAddress = address;
      if (instance === 'dev') temporalUiUrl = `http://127.0.0.1:${uiPort}`;
      readiness.push(
        waitUntilReady(service, () => pingTemporal(address, namespace), readyTimeoutMs),
      );
    }

    // Settle every start before judging, so no service is still being spawned when a failure stops the rest.
    const failed = (await Promise.allSettled(readiness)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    if (!wantFerret) log(`using MongoDB at ${redactUrl(mongoUrl)} (MONGO_URL)`);
    if (!wantTemporal && temporalAddress)
      log(`using Temporal at ${temporalAddress} (TEMPORAL_ADDRESS)`);

    const stackEnv: Record<string, string> = {
      MONGO_URL: mongoUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: namespace,
    };
    if (wantFerret) stackEnv.CAIRN_ENGINE = engine;
    const backend = postgresBin ? postgresVersion(postgresBin.path) : 'SQLite';
    if (testServerBin) stackEnv.TEMPORAL_TEST_SERVER_BIN = testServerBin.path;
    return {
      mongoUrl,
      engine: wantFerret
        ? {
            name: engine,
            description: `FerretDB ${VERSIONS.ferretdb} on ${backend} (CAIRN_ENGINE=${engine})`,
          }
        : { name: 'external', description: `the server at ${redactUrl(mongoUrl)} (MONGO_URL)` },
      temporalAddress,
      temporalNamespace: namespace,
      temporalUiUrl,
      testServerBin: testServerBin?.path,
      services,
      binaries,
      dataDir,
      env: stackEnv,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Hides the password in a connection string before it is printed. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]+)@/, '//$1:***@');
}
