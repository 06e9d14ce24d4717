#!/usr/bin/env node
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { normalizeEvent, SEGMENT_TEMPLATES, type CairnEvent } from '@cairn/core';
import { ConfigError, loadServiceConfig } from '@cairn/config';
import {
  connectDatabase,
  createApiKey,
  createSegment,
  createUser,
  createWorkspace,
  findUser,
  generatePassword,
  ingestEvents,
  ROLES,
  syncIndexes,
  updateUser,
  workspaceExists,
  findWorkspace,
  type Database,
  type Role,
} from '@cairn/db';
import { demoSummary, formatDemoSummary, generateDemoStore } from '@cairn/demo';
import { createDemoJourneys } from './demo-journeys.js';

type Connection = Database['connection'];

const USAGE = `cairn: workspace and data commands

  cairn workspace create --name <name>     create a workspace and print its write and admin keys
  cairn user add --workspace <id> --email <email> --role <admin|editor|publisher|viewer> [--name N] [--password P]
                                           add a designer/API user; prints a generated password when none is given
  cairn demo [--contacts N] [--seed S] [--keys-file F] [--quiet-if-exists]
                                           create the demo store workspace (seeded, reproducible)

Reads MONGO_URL / MONGO_DB like the API.`;

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

export const DEMO_WORKSPACE_ID = 'ws_demo';
export const DEMO_USER_EMAIL = 'demo@cairn.local';

type DemoKeys = {
  workspaceId: string;
  writeKey: string;
  adminKey: string;
  loaded?: boolean;
  user?: { email: string; password: string };
};

/** The demo admin user, created once; its password lives in the keys file beside the demo keys. */
async function ensureDemoUser(connection: Connection, keysFile: string | undefined): Promise<void> {
  if (!keysFile || !existsSync(keysFile)) return;
  const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as DemoKeys;
  if (keys.user && (await findUser(connection, DEMO_WORKSPACE_ID, keys.user.email))) return;
  const password = generatePassword();
  const created = await createUser(connection, DEMO_WORKSPACE_ID, {
    email: DEMO_USER_EMAIL,
    name: 'Demo admin',
    role: 'admin',
    password,
  });
  // Made by a run whose keys file was lost: the file is the demo's source of truth, so reset the password.
  if ('exists' in created)
    await updateUser(connection, DEMO_WORKSPACE_ID, DEMO_USER_EMAIL, { password });
  writeFileSync(
    keysFile,
    JSON.stringify({ ...keys, user: { email: DEMO_USER_EMAIL, password } }, null, 2),
    { mode: 0o600 },
  );
  console.log(`demo user ${DEMO_USER_EMAIL} (admin)\n  password   ${password}`);
}

async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  if (!command || command === 'help' || command === '--help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadServiceConfig({ TEMPORAL_ADDRESS: '127.0.0.1:7233', ...process.env });
  const db = await connectDatabase(config.MONGO_URL, config.MONGO_DB);
  try {
    await syncIndexes(db.connection);
    if (command === 'workspace' && sub === 'create') {
      const name = flag(rest, 'name');
      if (!name) {
        console.error('cairn workspace create: --name is required, e.g. --name "Acme"');
        return 2;
      }
      const created = await createWorkspace(db.connection, { name });
      console.log(
        `workspace ${created.workspace._id} (${created.workspace.slug})\n  write key  ${created.writeKey}\n  admin key  ${created.adminKey}`,
      );
      console.log('Keep the admin key secret; it is shown only once.');
      return 0;
    }
    if (command === 'user' && sub === 'add') {
      const workspaceId = flag(rest, 'workspace');
      const email = flag(rest, 'email');
      const role = flag(rest, 'role') as Role | undefined;
      if (!workspaceId || !email || !role || !ROLES.includes(role)) {
        console.error(
          `cairn user add: --workspace, --email and --role (${ROLES.join(', ')}) are required, e.g. --workspace ws_demo --email ana@example.com --role editor`,
        );
        return 2;
      }
      if (!(await workspaceExists(db.connection, workspaceId))) {
        console.error(`cairn user add: no workspace "${workspaceId}"`);
        return 2;
      }
      const given = flag(rest, 'password');
      if (given !== undefined && given.length < 12) {
        console.error(
          'cairn user add: --password must be at least 12 characters (or leave it out to get a generated one)',
        );
        return 2;
      }
      const password = given ?? generatePassword();
      const created = await createUser(db.connection, workspaceId, {
        email,
        name: flag(rest, 'name') ?? email.split('@')[0] ?? email,
        role,
        password,
      });
      if ('exists' in created) {
        console.error(`cairn user add: ${email} already has an account in ${workspaceId}`);
        return 1;
      }
      console.log(`user ${created.user.email} (${created.user.role}) added to ${workspaceId}`);
      if (!given)
        console.log(
          `  password   ${password}\nShown only once: pass it on safely; it can be changed with PUT /api/v1/users/<email>.`,
        );
      return 0;
    }
    if (command === 'demo') {
      const args = [sub, ...rest].filter((a): a is string => a !== undefined);
      const keysFile = flag(args, 'keys-file');
      const existing = await findWorkspace(db.connection, DEMO_WORKSPACE_ID);
      if (
        existing &&
        keysFile &&
        (!existsSync(keysFile) ||
          !(JSON.parse(readFileSync(keysFile, 'utf8')) as { loaded?: boolean }).loaded)
      ) {
        // A previous load was interrupted: mint keys if they were never saved, then load again (messageIds dedupe).
        const saved = existsSync(keysFile)
          ? (JSON.parse(readFileSync(keysFile, 'utf8')) as DemoKeys)
          : undefined;
        const writeKey =
          saved?.writeKey ??
          (await createApiKey(db.connection, DEMO_WORKSPACE_ID, 'write', 'Demo write key'));
        const adminKey =
          saved?.adminKey ??
          (await createApiKey(db.connection, DEMO_WORKSPACE_ID, 'admin', 'Demo admin key'));
        mkdirSync(dirname(keysFile), { recursive: true });
        writeFileSync(
          keysFile,
          JSON.stringify(
            { ...saved, workspaceId: DEMO_WORKSPACE_ID, writeKey, adminKey, loaded: false },
            null,
            2,
          ),
          { mode: 0o600 },
        );
        console.log(
          `demo workspace ${DEMO_WORKSPACE_ID}: resuming an interrupted load\n  write key  ${writeKey}\n  admin key  ${adminKey}`,
        );
        await ensureDemoUser(db.connection, keysFile);
        await loadDemoEvents(
          db.connection,
          Number(flag(args, 'contacts') ?? 150),
          Number(flag(args, 'seed') ?? 42),
        );
        markLoaded(keysFile);
        return 0;
      }
      if (existing) {
        if (keysFile && existsSync(keysFile)) {
          const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as {
            writeKey: string;
            adminKey: string;
          };
          console.log(
            `demo workspace ${DEMO_WORKSPACE_ID} is ready\n  write key  ${keys.writeKey}\n  admin key  ${keys.adminKey}`,
          );
          await ensureDemoUser(db.connection, keysFile);
        } else if (!args.includes('--quiet-if-exists')) {
          console.log(
            `demo workspace ${DEMO_WORKSPACE_ID} already exists (start fresh with npm start -- --fresh)`,
          );
        }
        return 0;
      }
      const contacts = Number(flag(args, 'contacts') ?? 150);
      const seed = Number(flag(args, 'seed') ?? 42);
      const created = await createWorkspace(db.connection, {
        name: 'Demo coffee store',
        slug: 'demo',
        id: DEMO_WORKSPACE_ID,
      });
      // Segments first, so memberships form as the history streams in, exactly as they would live.
      for (const template of SEGMENT_TEMPLATES) {
        await createSegment(db.connection, DEMO_WORKSPACE_ID, {
          segmentId: template.id,
          name: template.name,
          description: template.description,
          definition: template.definition,
        });
      }
      await createDemoJourneys(db.connection, DEMO_WORKSPACE_ID);
      if (keysFile) {
        mkdirSync(dirname(keysFile), { recursive: true });
        writeFileSync(
          keysFile,
          JSON.stringify(
            {
              workspaceId: DEMO_WORKSPACE_ID,
              writeKey: created.writeKey,
              adminKey: created.adminKey,
            },
            null,
            2,
          ),
          { mode: 0o600 },
        );
      }
      console.log(
        `demo workspace ${DEMO_WORKSPACE_ID} created\n  write key  ${created.writeKey}\n  admin key  ${created.adminKey}`,
      );
      await ensureDemoUser(db.connection, keysFile);
      await loadDemoEvents(db.connection, contacts, seed);
      if (keysFile) markLoaded(keysFile);
      return 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await db.close();
  }
}

/** Marks the demo load finished, keeping the keys and the demo user's password. */
function markLoaded(keysFile: string): void {
  const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as DemoKeys;
  writeFileSync(keysFile, JSON.stringify({ ...keys, loaded: true }, null, 2), { mode: 0o600 });
}

/** Streams the seeded demo history through the live ingestion path, in chunks. Safe to repeat: messageIds dedupe. */
async function loadDemoEvents(
  connection: Connection,
  contacts: number,
  seed: number,
): Promise<void> {
  const now = Date.now();
  const store = generateDemoStore({ seed, contacts, now });
  console.log(formatDemoSummary(demoSummary(store)));
  const started = Date.now();
  let chunk: CairnEvent[] = [];
  let done = 0;
  for (const payload of store.events) {
    const result = normalizeEvent(payload, { receivedAt: now, now });
    if (!result.ok)
      throw new Error(
        `demo event ${payload.messageId} is invalid: ${JSON.stringify(result.errors)}`,
      );
    chunk.push(result.event);
    if (chunk.length === 1000) {
      // Each chunk at the time it is folded, as live ingestion would: a fixed start time made every chunk
      // after the first 30 s look abandoned to the worker's pending-fold sweeper, which then folded it too.
      await ingestEvents(connection, DEMO_WORKSPACE_ID, chunk, { now: Date.now() });
      done += chunk.length;
      chunk = [];
      if (done % 5000 === 0) console.log(`imported ${done}/${store.events.length} events`);
    }
  }
  if (chunk.length) await ingestEvents(connection, DEMO_WORKSPACE_ID, chunk, { now: Date.now() });
  console.log(
    `imported ${store.events.length} events in ${((Date.now() - started) / 1000).toFixed(1)} s: the demo store is ready`,
  );
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(`cairn: ${error.message}`);
    else console.error(`cairn: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
