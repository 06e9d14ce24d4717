import mongoose, { type Connection } from 'mongoose';

export interface DatabaseCapabilities {
  /** FerretDB v1 speaks the protocol but lacks transactions, change streams, TTL and partial indexes. */
  engine: 'mongodb' | 'ferretdb';
  version: string;
  transactions: boolean;
  changeStreams: boolean;
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
    autoIndex: false,
  });
  await connection.asPromise();
  const capabilities = await detectCapabilities(connection);
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
    return { engine: 'ferretdb', version: ferret, transactions: false, changeStreams: false };
  }
  const hello = (await db.admin().command({ hello: 1 })) as { setName?: string };
  const replicaSet = Boolean(hello.setName);
  return { engine: 'mongodb', version: info.version ?? 'unknown', transactions: replicaSet, changeStreams: replicaSet };
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
