import { randomBytes } from 'node:crypto';
import {
  connectDatabase,
  contactKey,
  contactModel,
  engineOf,
  isTransientStorageError,
  updateIfUnchanged,
} from '../src/index';
import { testDatabase } from './helpers';

// The embedded stack runs FerretDB on SQLite unless CAIRN_ENGINE names another engine.
const expected = process.env.CAIRN_ENGINE ? undefined : 'ferretdb-sqlite';

describe('one adapter per engine, chosen at connect time', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('engine');
  });
  afterAll(async () => db.drop());

  it('names the adapter serving an empty database and declares what its engine can do', () => {
    if (expected) expect(db.capabilities.adapter).toBe(expected);
    expect(engineOf(db.connection)?.name).toBe(db.capabilities.adapter);
    if (db.capabilities.adapter === 'ferretdb-sqlite') {
      // `_id` lists are read by index with Cairn's build, which commits a bulk's updates together, up to 200.
      expect(db.capabilities).toMatchObject({
        maxBulkUpdates: 200,
        concurrentWrites: false,
        idListLookups: true,
        batchedUpdates: true,
      });
    }
    if (db.capabilities.adapter === 'ferretdb-postgresql')
      // PostgreSQL runs writes side by side.
      expect(db.capabilities).toMatchObject({
        concurrentWrites: true,
        atomicUpdates: true,
      });
    if (db.capabilities.adapter === 'mongodb')
      expect(db.capabilities).toMatchObject({
        atomicUpdates: true,
        idListLookups: true,
      });
  });

  it('refuses an engine asked for that the server is not, and takes CAIRN_ENGINE only as a hint', async () => {
    const wrong = db.capabilities.adapter === 'mongodb' ? 'ferretdb-sqlite' : 'mongodb';
    const url = process.env.MONGO_URL ?? '';
    await expect(
      connectDatabase(url, `engine_${randomBytes(4).toString('hex')}`, { engine: wrong }),
    ).rejects.toThrow(/engine was asked for, but the server at this URL is .*; ask for no engine/);
    // A shell's CAIRN_ENGINE meant for the embedded stack must not stop a connection to another server.
    const saved = process.env.CAIRN_ENGINE;
    process.env.CAIRN_ENGINE = wrong;
    try {
      const other = await connectDatabase(url, `engine_${randomBytes(4).toString('hex')}`);
      expect(other.capabilities.adapter).toBe(db.capabilities.adapter);
      await other.close();
    } finally {
      if (saved === undefined) delete process.env.CAIRN_ENGINE;
      else process.env.CAIRN_ENGINE = saved;
    }
  });

  it('writes a guarded update only while the guard still holds, whichever way the adapter checks it', async () => {
    const Contacts = contactModel(db.connection);
    const _id = contactKey('ws_engine', 'ana');
    await Contacts.create({ _id, workspaceId: 'ws_engine', contactId: 'ana', profile: {}, rev: 3 });
    const stale = await updateIfUnchanged(
      db.connection,
      Contacts,
      _id,
      { rev: 2 },
      { $set: { tags: ['stale'] }, $inc: { rev: 1 } },
    );
    const fresh = await updateIfUnchanged(
      db.connection,
      Contacts,
      _id,
      { rev: 3 },
      { $set: { tags: ['fresh'] }, $inc: { rev: 1 } },
    );
    expect([stale.matchedCount, fresh.matchedCount]).toEqual([0, 1]);
    expect(await Contacts.findById(_id, { tags: 1, rev: 1 }).lean()).toMatchObject({
      tags: ['fresh'],
      rev: 4,
    });
  });
});

describe('isTransientStorageError', () => {
  const wrapped = (message: string) =>
    Object.assign(new Error('bulk write failed'), {
      name: 'MongoBulkWriteError',
      cause: Object.assign(new Error(message), { name: 'MongoServerError', code: 1 }),
    });

  it("recognises each engine's busy answers, also when a bulk write wraps them", () => {
    expect(
      isTransientStorageError(wrapped('sqlite: step: database is locked (5) (SQLITE_BUSY)')),
    ).toBe(true);
    expect(isTransientStorageError(wrapped('ERROR: deadlock detected (SQLSTATE 40P01)'))).toBe(
      true,
    );
    expect(isTransientStorageError(Object.assign(new Error('WriteConflict'), { code: 112 }))).toBe(
      true,
    );
  });

  it('leaves duplicates, validation errors and outages to their own handling', () => {
    expect(
      isTransientStorageError(
        Object.assign(new Error('E11000 duplicate key error'), { code: 11000 }),
      ),
    ).toBe(false);
    expect(isTransientStorageError(wrapped('ERROR: invalid input syntax (SQLSTATE 22P02)'))).toBe(
      false,
    );
    expect(
      isTransientStorageError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:27017'), {
          name: 'MongoServerSelectionError',
        }),
      ),
    ).toBe(false);
    expect(isTransientStorageError(undefined)).toBe(false);
  });
});
