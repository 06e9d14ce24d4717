// Chooses the adapter for a connection at connect time: the only place that tells engines apart.
import type { Connection } from 'mongoose';
import { ferretdbPostgresqlEngine } from './ferretdb-postgresql.js';
import { ferretdbSqliteEngine } from './ferretdb-sqlite.js';
import { mongodbEngine } from './mongodb.js';
import type { EngineName, StorageEngine, StorageErrorShape } from './types.js';

export type {
  EngineCapabilities,
  EngineName,
  GuardedModel,
  StorageEngine,
  WriteGuard,
  WriteOutcome,
} from './types.js';

type Db = NonNullable<Connection['db']>;

const ENGINE_NAMES: Record<string, EngineName> = {
  mongodb: 'mongodb',
  sqlite: 'ferretdb-sqlite',
  'ferretdb-sqlite': 'ferretdb-sqlite',
  postgresql: 'ferretdb-postgresql',
  postgres: 'ferretdb-postgresql',
  'ferretdb-postgres': 'ferretdb-postgresql',
  'ferretdb-postgresql': 'ferretdb-postgresql',
};

/** `CAIRN_ENGINE` (or a caller's choice) as an engine name; throws naming the accepted values. */
export function parseEngineName(value: string): EngineName {
  const name = ENGINE_NAMES[value.trim().toLowerCase()];
  if (!name)
    throw new Error(
      `CAIRN_ENGINE: "${value}" is not an engine; use one of ${Object.keys(ENGINE_NAMES).join(', ')}`,
    );
  return name;
}

async function ferretVersion(db: Db): Promise<string | undefined> {
  const info = (await db.admin().command({ buildInfo: 1 })) as {
    ferretdb?: { version?: string };
    ferretdbVersion?: string;
  };
  // FerretDB announces itself in buildInfo (field names differ across versions) and in serverStatus.
  const fromBuildInfo = info.ferretdb?.version ?? info.ferretdbVersion;
  if (fromBuildInfo) return fromBuildInfo;
  try {
    const status = (await db.admin().command({ serverStatus: 1 })) as {
      ferretdb?: { version?: string };
      ferretdbVersion?: string;
    };
    return status.ferretdb?.version ?? status.ferretdbVersion;
  } catch {
    return undefined;
  }
}

/**
 * Which backend a FerretDB runs on, from the plan `explain` returns: SQLite's `EXPLAIN QUERY PLAN` rows
 * (strings) or PostgreSQL's JSON plan (an object). A missing collection has no plan, so an empty
 * database gets a probe collection for the moment of the question.
 */
async function ferretBackend(db: Db): Promise<'ferretdb-sqlite' | 'ferretdb-postgresql'> {
  const [existing] = await db.listCollections({}, { nameOnly: true }).toArray();
  const probe = existing ? undefined : 'cairn_engine_probe';
  if (probe) await db.createCollection(probe).catch(() => undefined);
  try {
    const explained = (await db.command({
      explain: { find: existing?.name ?? probe, filter: { _id: '' } },
      verbosity: 'queryPlanner',
    })) as { queryPlanner?: { Plan?: unknown } };
    const plan = explained.queryPlanner?.Plan;
    return plan !== undefined && plan !== null && !Array.isArray(plan)
      ? 'ferretdb-postgresql'
      : 'ferretdb-sqlite';
  } finally {
    if (probe) await db.dropCollection(probe).catch(() => undefined);
  }
}

/**
 * Detects the server behind `connection` and returns its adapter. A `requested` engine must agree with
 * what answers, unless it is only a hint (CAIRN_ENGINE), which just names the backend of a FerretDB.
 */
export async function chooseEngine(
  connection: Connection,
  requested?: EngineName,
  options: { hint?: boolean } = {},
): Promise<StorageEngine> {
  const db = connection.db;
  if (!db) throw new Error('database connection has no db handle');
  const ferret = await ferretVersion(db);
  const mismatch = (server: string) =>
    new Error(
      `The ${requested} engine was asked for, but the server at this URL is ${server}; ask for no engine (it is detected) or for the one that answers.`,
    );
  if (!ferret) {
    if (requested && requested !== 'mongodb' && !options.hint) throw mismatch('MongoDB');
    const info = (await db.admin().command({ buildInfo: 1 })) as { version?: string };
    return mongodbEngine({ version: info.version ?? 'unknown' });
  }
  if (requested === 'mongodb' && !options.hint) throw mismatch(`FerretDB ${ferret}`);
  const backend = requested && requested !== 'mongodb' ? requested : await ferretBackend(db);
  const engine =
    backend === 'ferretdb-postgresql'
      ? ferretdbPostgresqlEngine(ferret)
      : ferretdbSqliteEngine(ferret);
  if (!engine.capabilities.atomicUpdates) {
    console.warn(
      `FerretDB ${ferret} applies concurrent updates of one document as last-writer-wins, so counters lose increments: use the FerretDB that Cairn's dev stack builds (docs/decisions/010) or MongoDB.`,
    );
  }
  return engine;
}

/** Every adapter's error classifier: an error reaching the HTTP layer no longer says which engine raised it. */
const CLASSIFIERS: StorageEngine[] = [
  mongodbEngine({ version: '' }),
  ferretdbSqliteEngine(''),
  ferretdbPostgresqlEngine(''),
];

/**
 * True when a storage error (or one it wraps, a few causes deep) means "busy, retry shortly": SQLite's
 * write lock, PostgreSQL's deadlock or serialization failure, MongoDB's write conflict.
 */
export function isTransientStorageError(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false;
  if (CLASSIFIERS.some((engine) => engine.isTransientError(error as StorageErrorShape)))
    return true;
  return isTransientStorageError((error as { cause?: unknown }).cause, depth + 1);
}
