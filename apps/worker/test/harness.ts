import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { connectDatabase, createWorkspace, syncIndexes, type Database } from '@cairn/db';

/** A variable the dev stack sets; a clear error when a file is run without it. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run integration tests through the dev stack (node packages/dev-stack/dist/cli.js exec -- …)`,
    );
  return value;
}

/**
 * Which Temporal a file talks to: the time-skipping test server (durable sleeps of days pass in
 * seconds), the dev server at TEMPORAL_ADDRESS (schedules and search attributes, which the test
 * server lacks), or none (database-only tests).
 */
export type TemporalMode = 'time-skipping' | 'dev-server' | 'none';

export interface TimeSkippingPieces {
  env: TestWorkflowEnvironment;
}

export interface DevServerPieces {
  connection: Connection;
  client: Client;
  nativeConnection: NativeConnection;
  namespace: string;
}

export interface WorkerTestStackOptions<
  T extends TemporalMode,
  D extends boolean,
  W extends { name: string } | undefined,
> {
  temporal: T;
  /** false: no database of its own (a file that only exercises Temporal). Default true. */
  database?: D;
  /** A real workspace created in the file's database; its id is handed over as `workspaceId`. */
  workspace?: W;
}

/** What the ready callback receives: only the pieces the options asked for. */
export type WorkerTestStack<
  T extends TemporalMode,
  D extends boolean,
  W extends { name: string } | undefined,
> = (T extends 'time-skipping'
  ? TimeSkippingPieces
  : T extends 'dev-server'
    ? DevServerPieces
    : unknown) &
  (D extends false ? unknown : { db: Database }) &
  (W extends { name: string } ? { workspaceId: string } : unknown);

// Starting the time-skipping server and syncing every index on FerretDB can take a while on a busy machine.
const SETUP_TIMEOUT_MS = 180_000;

/**
 * Registers beforeAll/afterAll in the calling describe: a database of its own (`${prefix}_<random>`,
 * indexes synced, dropped afterwards), the requested Temporal, and optionally a workspace. Once all is
 * up, `ready` gets the pieces, so a file keeps its own variable names:
 *
 *   let env: TestWorkflowEnvironment;
 *   let db: Database;
 *   useWorkerTestStack('journeys', { temporal: 'time-skipping' }, (s) => ({ env, db } = s));
 *
 * Call it before the file's own beforeAll: jest runs hooks in the order they are registered, so the
 * file's set-up sees the pieces.
 */
export function useWorkerTestStack<
  T extends TemporalMode,
  D extends boolean = true,
  W extends { name: string } | undefined = undefined,
>(
  prefix: string,
  options: WorkerTestStackOptions<T, D, W>,
  ready: (stack: WorkerTestStack<T, D, W>) => void,
): void {
  const wantsDatabase = options.database !== false;
  if (options.workspace && !wantsDatabase)
    throw new Error('useWorkerTestStack: a workspace needs the database (drop `database: false`)');
  let db: Database | undefined;
  let env: TestWorkflowEnvironment | undefined;
  let connection: Connection | undefined;
  let nativeConnection: NativeConnection | undefined;

  beforeAll(
    async () => {
      const pieces: Record<string, unknown> = {};
      if (wantsDatabase) {
        db = await connectDatabase(
          requireEnv('MONGO_URL'),
          `${prefix}_${randomBytes(4).toString('hex')}`,
        );
        await syncIndexes(db.connection);
        pieces.db = db;
        if (options.workspace) {
          const { name } = options.workspace;
          const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${randomBytes(3).toString('hex')}`;
          pieces.workspaceId = (await createWorkspace(db.connection, { name, slug })).workspace._id;
        }
      }
      if (options.temporal === 'time-skipping') {
        env = await TestWorkflowEnvironment.createTimeSkipping({
          server: {
            executable: { type: 'existing-path', path: requireEnv('TEMPORAL_TEST_SERVER_BIN') },
          },
        });
        pieces.env = env;
      } else if (options.temporal === 'dev-server') {
        const address = requireEnv('TEMPORAL_ADDRESS');
        const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
        connection = await Connection.connect({ address });
        nativeConnection = await NativeConnection.connect({ address });
        Object.assign(pieces, {
          connection,
          client: new Client({ connection, namespace }),
          nativeConnection,
          namespace,
        });
      }
      ready(pieces as WorkerTestStack<T, D, W>);
    },
    options.temporal === 'none' ? undefined : SETUP_TIMEOUT_MS,
  );

  // Each step guarded: a set-up that failed half-way still releases what it got.
  afterAll(async () => {
    await db?.connection.dropDatabase().catch(() => undefined);
    await db?.close();
    await nativeConnection?.close();
    await connection?.close();
    await env?.teardown();
  });
}
