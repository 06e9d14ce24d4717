import mongoose, { type Connection } from 'mongoose';

export interface DatabaseCapabilities {
  /** FerretDB v1 speaks the protocol but lacks transactions, change streams, TTL and partial indexes. */
  engine: 'mongodb' | 'ferretdb';
  version: string;
  transactions: boolean;
  changeStreams: boolean;
  /** Whether concurrent updates of one document all apply (MongoDB; FerretDB only as Cairn builds it, decision 010). */
  atomicUpdates: boolean;
}

export interface Database {
  connection: Connection;
  capabilities: DatabaseCapabilities;
  close(): Promise<void>;
}

/** Opens a dedicated connection (never the mongoose global) so tests and tools can hold several. */
export async function connectDatabase(url: string, dbName: string, options: { serverSelectionTimeoutMS?: number } = {}): Promise<Database> {
  const connection = mongoose.createConnection(url, {
    dbName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    // No mongoose buffering: while the database is away an operation fails after server selection
    // (a 503 from the API, a retry in the worker) instead of waiting in a queue, some without a timeout.
    bufferCommands: false,
    // The monitor notices an outage (and the recovery) within 2 s; the API's database gate reads it.
    heartbeatFrequencyMS: 2_000,
    autoIndex: false,
    monitorCommands: process.env.CAIRN_MONITOR_COMMANDS === "1",
  });
  await connection.asPromise();
  const capabilities = await detectCapabilities(connection);
  rememberCapabilities(connection, capabilities);
  return {
    connection,
    capabilities,
    close: () => connection.close(),
  };
}

async function detectCapabilities(connection: Connection): Promise<DatabaseCapabilities> {
  const db = connection.db;
  if (!db) throw new Error('database connection has no db handle');
  const info = (await db.admin().command({ buildInfo: 1 })) as { version?: string; ferretdb?: { version?: string }; ferretdbVersion?: string };
  // FerretDB announces itself in buildInfo (field names differ across versions) and in getParameter.
  const ferret = info.ferretdb?.version ?? info.ferretdbVersion ?? (await ferretVersion(db));
  if (ferret) {
    // dev-stack's build tags its version (FERRETDB_BUILD_TAG); an upstream FerretDB loses concurrent updates.
    const atomicUpdates = ferret.includes('+cairn.atomic-updates');
    if (!atomicUpdates) {
      console.warn(`FerretDB ${ferret} applies concurrent updates of one document as last-writer-wins, so counters lose increments: use the FerretDB that Cairn's dev stack builds (docs/decisions/010) or MongoDB.`);
    }
    return { engine: 'ferretdb', version: ferret, transactions: false, changeStreams: false, atomicUpdates };
  }
  const hello = (await db.admin().command({ hello: 1 })) as { setName?: string };
  const replicaSet = Boolean(hello.setName);
  return { engine: 'mongodb', version: info.version ?? 'unknown', transactions: replicaSet, changeStreams: replicaSet, atomicUpdates: true };
}

async function ferretVersion(db: NonNullable<Connection['db']>): Promise<string | undefined> {
  try {
    const status = (await db.admin().command({ serverStatus: 1 })) as { ferretdb?: { version?: string }; ferretdbVersion?: string };
    return status.ferretdb?.version ?? status.ferretdbVersion;
  } catch {
    return undefined;
  }
}

/** True when the database answers a ping within the timeout; used by /readyz. */
export async function pingDatabase(db: Database, timeoutMs = 2000): Promise<boolean> {
  const handle = db.connection.db;
  if (!handle || db.connection.readyState !== 1) return false;
  const ping = handle.admin().command({ ping: 1 }).then(
    () => true,
    () => false,
  );
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
  return Promise.race([ping, timeout]);
}

/** Duplicate-key errors from MongoDB and FerretDB alike. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: number }).code === 11000;
}

function duplicateIndexes(error: unknown): Set<number> | undefined {
  const writeErrors = (error as { writeErrors?: { index?: number; code?: number; err?: { index?: number; code?: number } }[] }).writeErrors;
  // A bulk write that failed as a whole (the database went away) carries an empty writeErrors list:
  // that is not "every document was a duplicate", it is "nothing is known to be written".
  if (!writeErrors || writeErrors.length === 0) return undefined;
  const duplicates = new Set<number>();
  for (const e of writeErrors) {
    const code = e.code ?? e.err?.code;
    const index = e.index ?? e.err?.index;
    if (code !== 11000 || index === undefined) return undefined;
    duplicates.add(index);
  }
  return duplicates;
}

/**
 * insertMany (unordered) that treats duplicate keys as "already there" and reports which documents were
 * new. Any other failure, including a bulk write that failed as a whole, is rethrown.
 */
export async function insertNew<T>(insert: (docs: T[]) => Promise<unknown>, docs: T[]): Promise<boolean[]> {
  if (docs.length === 0) return [];
  try {
    await insert(docs);
    return docs.map(() => true);
  } catch (error) {
    const duplicates = duplicateIndexes(error);
    if (!duplicates) throw error;
    return docs.map((_, i) => !duplicates.has(i));
  }
}

/**
 * Runs an upsert, retrying when a concurrent upsert of the same `_id` won the insert (E11000): the retry
 * then finds the document and updates it. Both MongoDB and FerretDB raise this race.
 */
export async function upsertRacing<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 3 || !isDuplicateKeyError(error)) throw error;
    }
  }
}

const capabilitiesByConnection = new WeakMap<Connection, DatabaseCapabilities>();

/** What the database behind a connection opened by connectDatabase can do (undefined for other connections). */
export function capabilitiesOf(connection: Connection): DatabaseCapabilities | undefined {
  return capabilitiesByConnection.get(connection);
}

/** Records capabilities for a connection opened elsewhere (tests, tools that build their own connection). */
export function rememberCapabilities(connection: Connection, capabilities: DatabaseCapabilities): void {
  capabilitiesByConnection.set(connection, capabilities);
}

const lockTails = new Map<string, Promise<void>>();

function acquireLock(key: string): Promise<() => void> {
  const previous = lockTails.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  lockTails.set(key, tail);
  return previous.then(() => () => {
    release();
    if (lockTails.get(key) === tail) lockTails.delete(key);
  });
}

/**
 * Runs `work` while this process holds the locks of every key (taken in sorted order, so two callers
 * with overlapping keys cannot deadlock). Read-modify-write of one document is then never interleaved
 * within a process; across processes the guarded write below still decides.
 */
export async function withDocumentLocks<T>(keys: string[], work: () => Promise<T>): Promise<T> {
  const releases: (() => void)[] = [];
  try {
    for (const key of [...new Set(keys)].sort()) releases.push(await acquireLock(key));
    return await work();
  } finally {
    for (const release of releases) release();
  }
}

/** A guard on a document read earlier: dotted path → the value it had, or `{ $exists: false }`. */
export type WriteGuard = Record<string, unknown>;

function valueAt(doc: unknown, path: string): unknown {
  let node = doc;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function guardHolds(doc: unknown, guard: WriteGuard): boolean {
  return Object.entries(guard).every(([path, expected]) => {
    const actual = valueAt(doc, path);
    if (expected !== null && typeof expected === 'object' && '$exists' in expected) return (actual !== undefined) === Boolean((expected as { $exists: unknown }).$exists);
    return actual === expected;
  });
}

export interface WriteOutcome {
  matchedCount: number;
  modifiedCount: number;
  upsertedCount: number;
}

const NOT_WRITTEN: WriteOutcome = { matchedCount: 0, modifiedCount: 0, upsertedCount: 0 };

interface GuardedModel {
  updateOne(filter: object, update: object, options?: object): PromiseLike<WriteOutcome>;
  findById(id: string, projection?: object): { lean(): PromiseLike<unknown> };
}

/**
 * Updates the document `_id` only if it still matches `guard` (optimistic concurrency); a guard that
 * no longer holds answers matchedCount 0. Where updates are atomic (MongoDB; FerretDB as dev-stack builds it,
 * which also looks `{ _id, ...guard }` up by `_id`, decision 010) the guard is part of the filter. On an upstream
 * FerretDB v1 such a filter scans the whole collection and the update is an unlocked read-modify-write anyway,
 * so the guard is checked by an `_id` read right before an `_id`-only write, and callers' withDocumentLocks keep
 * a process from interleaving with itself (decision 008).
 */
export async function updateIfUnchanged(
  connection: Connection,
  model: GuardedModel,
  _id: string,
  guard: WriteGuard,
  update: object,
  options: { upsert?: boolean; timestamps?: boolean } = {},
): Promise<WriteOutcome> {
  if (capabilitiesOf(connection)?.atomicUpdates !== false) return model.updateOne({ _id, ...guard }, update, options);
  const projection = Object.fromEntries(Object.keys(guard).map((path) => [path, 1]));
  const current = await model.findById(_id, projection).lean();
  if (current === null || current === undefined) {
    if (!options.upsert || !guardHolds({}, guard)) return NOT_WRITTEN;
  } else if (!guardHolds(current, guard)) {
    return NOT_WRITTEN;
  }
  return model.updateOne({ _id }, update, options);
}
