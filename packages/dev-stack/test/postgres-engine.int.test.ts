import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { startStack, type RunningStack } from '../src/stack';
import { isAlive } from '../src/services';

describe('CAIRN_ENGINE=ferretdb-postgres', () => {
  let stack: RunningStack;
  let client: MongoClient;

  beforeAll(async () => {
    // Only the database: MONGO_URL from the surrounding `cairn-stack exec` would make the stack reuse it.
    const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_ENGINE: 'ferretdb-postgres' };
    delete env.MONGO_URL;
    stack = await startStack({
      instance: `engine-test-${process.pid}`,
      fresh: true,
      ephemeral: true,
      withTemporal: false,
      env,
      log: () => undefined,
    });
    client = await MongoClient.connect(stack.mongoUrl);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await stack?.stop();
  });

  it('runs FerretDB on an embedded PostgreSQL and says so', () => {
    expect(stack.engine.name).toBe('ferretdb-postgres');
    expect(stack.engine.description).toMatch(/^FerretDB v1\.24\.2 on PostgreSQL \d+\.\d+/);
    expect(stack.env.CAIRN_ENGINE).toBe('ferretdb-postgres');
    expect(stack.services.map((s) => s.name).sort()).toEqual(['ferretdb', 'postgres']);
  });

  it('inserts, finds by _id and updates through the MongoDB driver, storing in PostgreSQL', async () => {
    const contacts = client
      .db('engine_test')
      .collection<{ _id: string; email: string; visits: number; plan?: string }>('contacts');
    await contacts.insertOne({ _id: 'c1', email: 'ada@example.com', visits: 1 });
    expect(await contacts.findOne({ _id: 'c1' })).toEqual({
      _id: 'c1',
      email: 'ada@example.com',
      visits: 1,
    });

    const updated = await contacts.updateOne(
      { _id: 'c1' },
      { $inc: { visits: 2 }, $set: { plan: 'pro' } },
    );
    expect(updated.modifiedCount).toBe(1);
    expect(await contacts.findOne({ _id: 'c1' })).toEqual({
      _id: 'c1',
      email: 'ada@example.com',
      visits: 3,
      plan: 'pro',
    });

    // The cluster holds the data; FerretDB's SQLite backend would have written engine_test.sqlite instead.
    expect(existsSync(join(stack.dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(
      readdirSync(join(stack.dataDir, 'ferretdb')).filter((f) => f.endsWith('.sqlite')),
    ).toEqual([]);
  });

  it('finds, updates and deletes by _id through the _id index, not a scan of the table', async () => {
    const events = client.db('engine_test').collection<{ _id: string; n: number }>('events');
    await events.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: `e${i}`, n: i })));
    const plan = await client
      .db('engine_test')
      .command({ explain: { find: 'events', filter: { _id: 'e42' } } });
    // PostgreSQL's own plan, as FerretDB reports it: an index scan of the _id index, no sequential scan.
    const text = JSON.stringify(plan.queryPlanner);
    expect(text).toMatch(/Index Scan/);
    expect(text).not.toMatch(/Seq Scan/);
    expect(await events.findOne({ _id: 'e42' })).toEqual({ _id: 'e42', n: 42 });
    expect((await events.updateOne({ _id: 'e42' }, { $inc: { n: 1 } })).modifiedCount).toBe(1);
    expect((await events.findOne({ _id: 'e42' }))?.n).toBe(43);
    expect((await events.deleteOne({ _id: 'e43' })).deletedCount).toBe(1);
    expect(await events.countDocuments()).toBe(499);
  });

  it('stops PostgreSQL with the stack and removes an ephemeral stack’s cluster', async () => {
    const postgres = stack.services.find((s) => s.name === 'postgres');
    await client.close();
    await stack.stop();
    expect(postgres && isAlive(postgres.pid)).toBe(false);
    expect(existsSync(stack.dataDir)).toBe(false);
  });
});
