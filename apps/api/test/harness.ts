import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { loadConfig } from '@cairn/config';
import {
  connectDatabase,
  createIngestion,
  createWorkspace,
  syncIndexes,
  type CreatedWorkspace,
  type Database,
} from '@cairn/db';
import { createApp } from '../src/app';
import { answerClientErrors } from '../src/http/client-errors';
import type { ApiContext } from '../src/context';

export interface RunningApi {
  url: string;
  app: Express;
  ctx: ApiContext;
  db: Database;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** A fresh workspace with its write and admin keys. */
  workspace(name?: string): Promise<CreatedWorkspace>;
  /** fetch with the admin key as Bearer and JSON bodies. */
  admin(key: string, path: string, init?: { method?: string; body?: unknown }): Promise<Response>;
  /**
   * POST to a Segment-style ingestion route with the write key as HTTP Basic username. It asks the API to
   * answer once the events are folded (`?wait=folded`), as a test reads profiles right after; pass
   * `{ wait: false }` for the plain answer-on-append a Segment library gets.
   */
  ingest(
    writeKey: string,
    path: string,
    body: unknown,
    options?: { wait?: boolean },
  ): Promise<Response>;
  close(): Promise<void>;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(
      `${name} is not set: run integration tests through \`npm test\` (it starts the embedded stack)`,
    );
  return value;
}

/** The real API on a free port, on the real database (a fresh one per call) and the real Temporal. */
export async function startApi(
  overrides: { temporalAddress?: string; env?: Record<string, string>; logger?: pino.Logger } = {},
): Promise<RunningApi> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', ...overrides.env });
  const db = await connectDatabase(
    requireEnv('MONGO_URL'),
    `api_${randomBytes(4).toString('hex')}`,
  );
  const connection = Connection.lazy({
    address: overrides.temporalAddress ?? requireEnv('TEMPORAL_ADDRESS'),
  });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const ctx: ApiContext = {
    config,
    db,
    temporal: {
      connection,
      client,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: `api-test-${randomBytes(4).toString('hex')}`,
    },
    logger: overrides.logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ingestion: createIngestion(db.connection),
  };
  await syncIndexes(db.connection);
  const app = createApp(ctx);
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  answerClientErrors(server);
  server.requestTimeout = 0; // as in main.ts: bulk imports stream for longer than Node's 5-minute default
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    ctx,
    db,
    fetch: (path, init) => fetch(url + path, init),
    workspace: (name = 'Test workspace') =>
      createWorkspace(db.connection, { name, slug: `t-${randomBytes(4).toString('hex')}` }),
    admin: (key, path, init = {}) =>
      fetch(url + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: {
          authorization: `Bearer ${key}`,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    ingest: (writeKey, path, body, options = {}) =>
      fetch(
        url + path + (options.wait === false ? '' : `${path.includes('?') ? '&' : '?'}wait=folded`),
        {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        },
      ),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await ctx.ingestion.folds.close();
      await db.connection.dropDatabase().catch(() => undefined);
      await db.close();
      await connection.close().catch(() => undefined);
    },
  };
}
