import mongoose, { type Connection } from 'mongoose';
import { foldTraceEnabled, traceCommands } from './fold-trace.js';
import {
  chooseEngine,
  parseEngineName,
  type EngineCapabilities,
  type EngineName,
  type GuardedModel,
  type StorageEngine,
  type WriteGuard,
  type WriteOutcome,
} from './engines/index.js';

export {
  isTransientStorageError,
  type EngineCapabilities,
  type EngineName,
  type StorageEngine,
  type WriteGuard,
  type WriteOutcome,
} from './engines/index.js';

export interface DatabaseCapabilities extends EngineCapabilities {
  /** The adapter serving this connection, for logs and benchmark reports: decide by a capability, not by this. */
  adapter: EngineName;
  version: string;
}

export interface Database {
  connection: Connection;
  capabilities: DatabaseCapabilities;
  close(): Promise<void>;
}

export interface ConnectOptions {
  serverSelectionTimeoutMS?: number;
  /** Which engine the URL leads to; defaults to CAIRN_ENGINE, else what the server answers. */
  engine?: EngineName;
}

/** Opens a dedicated connection (never the mongoose global) so tests and tools can hold several. */
export async function connectDatabase(
  url: string,
  dbName: string,
  options: ConnectOptions = {},
): Promise<Database> {
  const connection = mongoose.createConnection(url, {
    dbName,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    // No mongoose buffering: while the database is away an operation fails after server selection
    // (a 503 from the API, a retry in the worker) instead of waiting in a queue, some without a timeout.
    bufferCommands: false,
    // The monitor notices an outage (and the recovery) within 2 s; the API's database gate reads it.
    heartbeatFrequencyMS: 2_000,
    autoIndex: false,
    monitorCommands: process.env.CAIRN_MONITOR_COMMANDS === '1' || foldTraceEnabled,
  });
  if (foldTraceEnabled) traceCommands(connection.getClient());
  await connection.asPromise();
  const fromEnv = process.env.CAIRN_ENGINE ? parseEngineName(process.env.CAIRN_ENGINE) : undefined;
  let engine: StorageEngine;
  try {
    // CAIRN_ENGINE names the embedded stack's engine; a MONGO_URL of one's own may lead elsewhere, so
    // the environment only picks a FerretDB backend, while a caller's explicit choice must match.
    engine = options.engine
      ? await chooseEngine(connection, options.engine)
      : await chooseEngine(connection, fromEnv, { hint: true });
  } catch (error) {
    await connection.close();
    throw error;
  }
  useEngine(connection, engine);
  return {
    connection,
    capabilities: capabilitiesOf(connection) as DatabaseCapabilities,
    close: () => connection.close(),
  };
}

/** True when the database answers a ping within the timeout; used by /readyz. */
export async function pingDatabase(db: Database, timeoutMs = 2000): Promise<boolean> {
  const handle = db.connection.db;
  if (!handle || db.connection.readyState !== 1) return false;
  const ping = handle
    .admin()
    .command({ ping: 1 })
    .then(
      () => true,
      () => false,
    );
  const timeout = new Promise<boolean>((resolve) =>
    setTimeout(() => resolve(false), timeoutMs).unref(),
  );
  return Promise.race([ping, timeout]);
}

/** Duplicate-key errors from MongoDB and FerretDB alike. */
export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: number }).code === 11000;
}

/** The positions of a bulk write's operations that failed only on a duplicate key; undefined when any other failed. */
export function duplicateIndexes(error: unknown): Set<number> | undefined {
  const writeErrors = (
    error as {
      writeErrors?: { index?: number; code?: number; err?: { index?: number; code?: number } }[];
    }
  ).writeErrors;
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
export async function insertNew<T>(
  insert: (docs: T[]) => Promise<unknown>,
  docs: T[],
): Promise<boolean[]> {
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

const engineByConnection = new WeakMap<Connection, StorageEngine>();

/** Serves `connection` with `engine`'s adapter (connectDatabase does this; tools that open their own connection may). */
export function useEngine(connection: Connection, engine: StorageEngine): void {
  engineByConnection.set(connection, engine);
}

/** The adapter of a connection opened by connectDatabase (undefined for other connections). */
export function engineOf(connection: Connection): StorageEngine | undefined {
  return engineByConnection.get(connection);
}

/** What the database behind a connection opened by connectDatabase can do (undefined for other connections). */
export function capabilitiesOf(connection: Connection): DatabaseCapabilities | undefined {
  const engine = engineByConnection.get(connection);
  if (!engine) return undefined;
  return {
    ...engine.capabilities,
    adapter: engine.name,
    version: engine.version,
  };
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

/**
 * Updates the document `_id` only if it still matches `guard` (optimistic concurrency); a guard that no
 * longer holds answers matchedCount 0. How the guard is checked is the engine adapter's business: in the
 * filter where that is atomic and index-served (MongoDB), else read by `_id` right before an `_id`-only
 * write (FerretDB, decision 008). Connections without an adapter get the filter.
 */
export async function updateIfUnchanged(
  connection: Connection,
  model: GuardedModel,
  _id: string,
  guard: WriteGuard,
  update: object,
  options: { upsert?: boolean; timestamps?: boolean } = {},
): Promise<WriteOutcome> {
  const engine = engineOf(connection);
  if (!engine) return model.updateOne({ _id, ...guard }, update, options);
  return engine.updateIfUnchanged({ model, _id, guard, update, options });
}
