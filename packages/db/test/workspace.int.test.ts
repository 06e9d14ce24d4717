import { isDuplicateKeyError, syncIndexes, workspaceModel } from '../src/index';
import { testDatabase } from './helpers';

describe('mongoose on the real MongoDB-protocol server', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('db');
  });
  afterAll(async () => db.drop());

  it('round-trips a document and refuses a duplicate unique key', async () => {
    const Workspace = workspaceModel(db.connection);
    await syncIndexes(db.connection);
    await Workspace.create({ _id: 'ws_1', slug: 'acme', name: 'Acme' });

    const found = await Workspace.findById('ws_1').lean();
    expect(found).toMatchObject({
      _id: 'ws_1',
      slug: 'acme',
      name: 'Acme',
      settings: { orderEvent: 'Order Completed' },
    });
    expect(found?.createdAt).toBeInstanceOf(Date);

    let refused: unknown;
    try {
      await Workspace.create({ _id: 'ws_2', slug: 'acme', name: 'Another Acme' });
    } catch (error) {
      refused = error;
    }
    expect(isDuplicateKeyError(refused)).toBe(true);
    expect(await Workspace.countDocuments()).toBe(1);
  });

  it('reports which engine it talks to', () => {
    expect(['mongodb', 'ferretdb-sqlite', 'ferretdb-postgresql']).toContain(
      db.capabilities.adapter,
    );
    if (db.capabilities.adapter !== 'mongodb')
      expect(db.capabilities.maxBulkUpdates).toBeLessThan(1000);
    // The stack's FerretDB carries the atomic-update patch (decision 010); MongoDB needs none.
    expect(db.capabilities.atomicUpdates).toBe(true);
  });
});
