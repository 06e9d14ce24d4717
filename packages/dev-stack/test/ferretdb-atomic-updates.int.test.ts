import { randomBytes } from 'node:crypto';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { FERRETDB_BUILD_TAG } from '../src/binaries';

// Runs against the server the stack started (the patched FerretDB by default): the defects it checks are
// FerretDB's own, so it talks to the server with the plain driver rather than through Cairn's data layer.
const url = process.env.MONGO_URL;
const CLIENTS = 8;
const EACH = 500;

describe('updates of one document from many clients at once', () => {
  const clients: MongoClient[] = [];
  const dbName = `atomic_${randomBytes(4).toString('hex')}`;
  const collection = (client: MongoClient): Collection<Document & { _id: string }> =>
    client.db(dbName).collection('counters');

  beforeAll(async () => {
    if (!url)
      throw new Error(
        'MONGO_URL is not set: run this through `cairn-stack exec` or `npm test` (they start the embedded stack)',
      );
    for (let i = 0; i < CLIENTS; i += 1)
      clients.push(await new MongoClient(url, { maxPoolSize: 4 }).connect());
  });
  afterAll(async () => {
    await clients[0]
      ?.db(dbName)
      .dropDatabase()
      .catch(() => undefined);
    await Promise.all(clients.map((client) => client.close()));
  });

  it('is served by a FerretDB that says it carries the patch (or by MongoDB)', async () => {
    const info = (await clients[0]!.db('admin').command({ buildInfo: 1 })) as {
      ferretdbVersion?: string;
    };
    if (info.ferretdbVersion !== undefined)
      expect(info.ferretdbVersion).toContain(`+${FERRETDB_BUILD_TAG}`);
  });

  it(`count every $inc: ${CLIENTS} clients x ${EACH} on one document sum to ${CLIENTS * EACH}`, async () => {
    await collection(clients[0]!).insertOne({ _id: 'inc', n: 0 });
    const acknowledged = await Promise.all(
      clients.map(async (client) => {
        let modified = 0;
        for (let i = 0; i < EACH; i += 1)
          modified += (await collection(client).updateOne({ _id: 'inc' }, { $inc: { n: 1 } }))
            .modifiedCount;
        return modified;
      }),
    );
    const stored = await collection(clients[0]!).findOne({ _id: 'inc' });
    expect(acknowledged.reduce((a, b) => a + b, 0)).toBe(CLIENTS * EACH);
    expect(stored?.n).toBe(CLIENTS * EACH);
  });

  it('keep every field that concurrent $set writes to one document', async () => {
    await collection(clients[0]!).insertOne({ _id: 'set' });
    const fieldsPerClient = 60;
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < fieldsPerClient; i += 1)
          await collection(client).updateOne({ _id: 'set' }, { $set: { [`f${c}_${i}`]: i } });
      }),
    );
    const stored = await collection(clients[0]!).findOne({ _id: 'set' });
    const missing = clients
      .flatMap((_, c) => Array.from({ length: fieldsPerClient }, (_, i) => `f${c}_${i}`))
      .filter((field) => stored?.[field] === undefined);
    expect(missing).toEqual([]);
  });

  it('count every findOneAndUpdate and every update filtered by more than _id', async () => {
    await collection(clients[0]!).insertOne({ _id: 'fam', kind: 'counter', n: 0, m: 0 });
    const each = 150;
    await Promise.all(
      clients.map(async (client, c) => {
        for (let i = 0; i < each; i += 1) {
          // Half the clients pin the _id, half match by another field: both must see each other's writes.
          if (c % 2 === 0)
            await collection(client).findOneAndUpdate({ _id: 'fam' }, { $inc: { n: 1 } });
          else await collection(client).updateOne({ kind: 'counter' }, { $inc: { m: 1 } });
        }
      }),
    );
    const stored = await collection(clients[0]!).findOne({ _id: 'fam' });
    expect({ n: stored?.n, m: stored?.m }).toEqual({
      n: (CLIENTS / 2) * each,
      m: (CLIENTS / 2) * each,
    });
  });

  it('answer a bulk write of 500 updates, and count them beside concurrent single updates', async () => {
    const docs = Array.from({ length: 50 }, (_, i) => ({ _id: `bulk-${i}`, n: 0 }));
    await collection(clients[0]!).insertMany(docs);
    const bulk = (client: MongoClient) =>
      collection(client).bulkWrite(
        Array.from({ length: 500 }, (_, i) => ({
          updateOne: { filter: { _id: `bulk-${i % docs.length}` }, update: { $inc: { n: 1 } } },
        })),
        { ordered: false },
      );
    const singles = async (client: MongoClient) => {
      for (let i = 0; i < 100; i += 1)
        await collection(client).updateOne({ _id: `bulk-${i % docs.length}` }, { $inc: { n: 1 } });
    };
    // Before the patch the server stopped answering everyone here, so a timeout is the failure.
    const results = await Promise.all([
      bulk(clients[0]!),
      bulk(clients[1]!),
      singles(clients[2]!),
      singles(clients[3]!),
    ]);
    expect(
      results.slice(0, 2).map((result) => (result as { modifiedCount: number }).modifiedCount),
    ).toEqual([500, 500]);
    const stored = await collection(clients[0]!)
      .find({ _id: { $in: docs.map((d) => d._id) } })
      .toArray();
    expect(stored.reduce((sum, doc) => sum + (doc.n as number), 0)).toBe(2 * 500 + 2 * 100);
  }, 120_000);

  it('applies a guarded update ({ _id, rev }) atomically and about as fast as an update by _id alone', async () => {
    const big = clients[0]!
      .db(dbName)
      .collection<{ _id: string; rev: number; n: number; pad: string }>('guarded');
    const docs = Array.from({ length: 20_000 }, (_, i) => ({
      _id: `doc-${i}`,
      rev: 0,
      n: 0,
      pad: 'x'.repeat(200),
    }));
    for (let i = 0; i < docs.length; i += 1000) await big.insertMany(docs.slice(i, i + 1000));
    const timed = async (work: (i: number) => Promise<unknown>) => {
      const started = performance.now();
      for (let i = 0; i < 100; i += 1) await work(i);
      return performance.now() - started;
    };
    const byId = await timed((i) => big.updateOne({ _id: `doc-${i}` }, { $inc: { n: 1 } }));
    const guarded = await timed((i) =>
      big.updateOne({ _id: `doc-${i}`, rev: 0 }, { $inc: { n: 1, rev: 1 } }),
    );
    // Unpatched, the guarded filter read all 20,000 rows per update (tens of times slower).
    expect(guarded).toBeLessThan(byId * 3 + 200);

    // Every client guards on the revision it read; each revision is won by exactly one of them.
    const won = await Promise.all(
      clients.map(async (client) => {
        const mine = client.db(dbName).collection<{ _id: string; rev: number }>('guarded');
        let wins = 0;
        for (let i = 0; i < 50; i += 1) {
          const current = await mine.findOne({ _id: 'doc-19999' });
          wins += (
            await mine.updateOne({ _id: 'doc-19999', rev: current!.rev }, { $inc: { rev: 1 } })
          ).modifiedCount;
        }
        return wins;
      }),
    );
    const final = await big.findOne({ _id: 'doc-19999' });
    expect(final?.rev).toBe(won.reduce((a, b) => a + b, 0));
  }, 120_000);

  it('commits guarded bulk updates exactly when clients race over the same documents in opposite orders', async () => {
    const racing = (client: MongoClient) =>
      client.db(dbName).collection<{ _id: string; rev: number; n: number }>('racing');
    const ids = Array.from({ length: 100 }, (_, i) => `race-${i}`);
    await racing(clients[0]!).insertMany(ids.map((_id) => ({ _id, rev: 0, n: 0 })));
    // Each client reads every revision, then writes all 100 guarded on them in one bulk: its own order, so
    // two batches want each other's documents (the build writes what it holds rather than wait).
    const won = await Promise.all(
      clients.slice(0, 4).map(async (client, c) => {
        const order = c % 2 === 0 ? ids : [...ids].reverse();
        let wins = 0;
        for (let round = 0; round < 10; round += 1) {
          const revs = new Map(
            (
              await racing(client)
                .find({ _id: { $in: ids } })
                .toArray()
            ).map((d) => [d._id, d.rev]),
          );
          const result = await racing(client).bulkWrite(
            order.map((_id) => ({
              updateOne: {
                filter: { _id, rev: revs.get(_id)! },
                update: { $inc: { rev: 1, n: 1 } },
              },
            })),
            { ordered: true },
          );
          wins += result.matchedCount;
        }
        return wins;
      }),
    );
    const stored = await racing(clients[0]!)
      .find({ _id: { $in: ids } })
      .toArray();
    expect(stored).toHaveLength(ids.length);
    // Every revision was won by one write only, and the counts agree with what the clients were told.
    for (const doc of stored) expect(doc.n).toBe(doc.rev);
    expect(stored.reduce((sum, doc) => sum + doc.n, 0)).toBe(won.reduce((a, b) => a + b, 0));
    expect(won.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(ids.length * 10);
  }, 120_000);

  it('applies bulk upserts exactly while clients race to create the same documents, beside inserts', async () => {
    const upserted = (client: MongoClient) =>
      client.db(dbName).collection<{ _id: string; n: number; created?: number }>('upserted');
    const logged = (client: MongoClient) =>
      client.db(dbName).collection<{ _id: string }>('upsert_log');
    // 150 documents, the first 50 there already: 4 clients upsert all of them 5 times, in opposite orders,
    // in unordered bulks, while 4 other clients insert into another collection (writers take turns on SQLite).
    const ids = Array.from({ length: 150 }, (_, i) => `u-${i}`);
    await upserted(clients[0]!).insertMany(ids.slice(0, 50).map((_id) => ({ _id, n: 0 })));
    const ROUNDS = 5;
    const [counted] = await Promise.all([
      Promise.all(
        clients.slice(0, 4).map(async (client, c) => {
          const order = c % 2 === 0 ? ids : [...ids].reverse();
          let applied = 0;
          for (let round = 0; round < ROUNDS; round += 1) {
            const ops = order.map((_id) => ({
              updateOne: {
                filter: { _id },
                update: { $inc: { n: 1 }, $setOnInsert: { created: c } },
                upsert: true,
              },
            }));
            try {
              const r = await upserted(client).bulkWrite(ops, { ordered: false });
              applied += r.matchedCount + r.upsertedCount;
            } catch (error) {
              // Lost the race to create a document: the bulk went on; those are tried again alone.
              const e = error as {
                code?: number;
                writeErrors?: { index: number; code: number }[];
                result?: { matchedCount: number; upsertedCount: number };
              };
              const lost = e.writeErrors ?? [];
              expect(lost.length).toBeGreaterThan(0);
              for (const w of lost) expect(w.code).toBe(11000);
              applied += (e.result?.matchedCount ?? 0) + (e.result?.upsertedCount ?? 0);
              for (const w of lost) {
                const op = ops[w.index]!.updateOne;
                const r = await upserted(client).updateOne(op.filter, op.update, { upsert: true });
                applied += r.matchedCount + r.upsertedCount;
              }
            }
          }
          return applied;
        }),
      ),
      Promise.all(
        clients.slice(4).map(async (client, c) => {
          for (let i = 0; i < 20; i += 1)
            await logged(client).insertMany(
              Array.from({ length: 20 }, (_, k) => ({ _id: `${c}-${i}-${k}` })),
            );
        }),
      ),
    ]);
    const stored = await upserted(clients[0]!).find({}).toArray();
    expect(stored).toHaveLength(ids.length);
    for (const doc of stored) expect(doc.n).toBe(4 * ROUNDS);
    expect(counted.reduce((a, b) => a + b, 0)).toBe(ids.length * 4 * ROUNDS);
    expect(await logged(clients[0]!).countDocuments({})).toBe(4 * 20 * 20);
  }, 120_000);

  it('reads a list of _ids through the _id index on SQLite, with the same answer as one by one', async () => {
    const listed = clients[0]!.db(dbName).collection<{ _id: string; k: number }>('listed');
    await listed.insertMany(Array.from({ length: 2_000 }, (_, i) => ({ _id: `l-${i}`, k: i })));
    const wanted = ['l-7', 'l-1999', 'missing', 'l-0', 'l-7'];
    const found = await listed.find({ _id: { $in: wanted } }).toArray();
    expect(found.map((d) => d.k).sort((a, b) => a - b)).toEqual([0, 7, 1999]);
    const plan = (
      (await clients[0]!.db(dbName).command({
        explain: { find: 'listed', filter: { _id: { $in: wanted } } },
        verbosity: 'queryPlanner',
      })) as { queryPlanner?: { Plan?: unknown } }
    ).queryPlanner?.Plan;
    // SQLite's plan is a list of rows; PostgreSQL's an object; MongoDB has none of these.
    if (Array.isArray(plan)) expect(JSON.stringify(plan)).toMatch(/USING INDEX/);
  });
});
