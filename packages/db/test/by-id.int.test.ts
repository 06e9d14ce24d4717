import {
  contactKey,
  contactModel,
  deleteByIds,
  findByIds,
  updateByIds,
  upsertByIds,
} from '../src/index';
import { testDatabase } from './helpers';

// The many-document reads and writes every hot path uses, against the real engine: answers in the order
// asked, and exactly which guarded writes won, whether the engine commits a bulk at once or one by one.
describe('reads and writes of many documents by _id', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  const ws = 'ws-by-id';
  const ids = Array.from({ length: 450 }, (_, i) => contactKey(ws, `c${i}`));

  beforeAll(async () => {
    db = await testDatabase('byid');
    await contactModel(db.connection).insertMany(
      ids.map((_id, i) => ({
        _id,
        workspaceId: ws,
        contactId: `c${i}`,
        profile: {},
        rev: i % 3,
        traits: { n: 0 },
      })),
    );
  });
  afterAll(async () => db.drop());

  it('finds documents in the order asked, null for a missing one, repeats answered twice', async () => {
    const asked = [ids[7]!, contactKey(ws, 'nobody'), ids[449]!, ids[0]!, ids[7]!];
    const found = await findByIds(db.connection, contactModel(db.connection), asked, {
      contactId: 1,
    });
    expect(found.map((d) => d?.contactId ?? null)).toEqual(['c7', null, 'c449', 'c0', 'c7']);
  });

  it('says exactly which guarded updates applied, over more than one bulk, and applies only those', async () => {
    const Contacts = contactModel(db.connection);
    // Every fifth guard names a revision the document does not have.
    const writes = ids.map((_id, i) => ({
      _id,
      guard: { rev: i % 5 === 0 ? 99 : i % 3 },
      update: { $set: { 'traits.n': i }, $inc: { rev: 1 } },
    }));
    const applied = await updateByIds(db.connection, Contacts, writes);
    expect(applied).toEqual(ids.map((_, i) => i % 5 !== 0));
    const stored = await findByIds(db.connection, Contacts, ids);
    stored.forEach((doc, i) => {
      expect(doc?.traits).toEqual({ n: i % 5 === 0 ? 0 : i });
      expect(doc?.rev).toBe((i % 3) + (i % 5 === 0 ? 0 : 1));
    });
  });

  it('reports an unguarded update of a missing document as not applied', async () => {
    const Contacts = contactModel(db.connection);
    const applied = await updateByIds(db.connection, Contacts, [
      { _id: ids[1]!, update: { $set: { 'traits.m': 1 } } },
      { _id: contactKey(ws, 'ghost'), update: { $set: { 'traits.m': 1 } } },
    ]);
    expect(applied).toEqual([true, false]);
    expect(await Contacts.findById(contactKey(ws, 'ghost')).lean()).toBeNull();
  });

  it('deletes by a list of ids and leaves the others', async () => {
    const Contacts = contactModel(db.connection);
    await deleteByIds(db.connection, Contacts, ids.slice(0, 300));
    expect(await Contacts.countDocuments({ workspaceId: ws })).toBe(150);
    expect((await findByIds(db.connection, Contacts, [ids[299]!, ids[300]!])).map(Boolean)).toEqual(
      [false, true],
    );
  });

  it('upserts many documents from concurrent bulks: each created once, every increment counted', async () => {
    const Contacts = contactModel(db.connection);
    // 275 ids, more than one bulk holds: 150 that exist, 125 created by whichever bulk comes first.
    const unique = [
      ...ids.slice(300),
      ...Array.from({ length: 125 }, (_, i) => contactKey(ws, `new${i}`)),
    ];
    const before = new Map(
      (await findByIds(db.connection, Contacts, unique)).map((d, i) => [unique[i], d?.rev ?? 0]),
    );
    // Four writers at once, each in its own order, each adding 1 to every document.
    await Promise.all(
      [0, 1, 2, 3].map((k) =>
        upsertByIds(
          db.connection,
          Contacts,
          // Each starts at a different place in the list.
          [...unique.slice(k * 60), ...unique.slice(0, k * 60)].map((_id) => ({
            _id,
            update: {
              $inc: { rev: 1 },
              $setOnInsert: { workspaceId: ws, contactId: _id.split(':').pop(), profile: {} },
            },
          })),
        ),
      ),
    );
    const after = await findByIds(db.connection, Contacts, unique);
    after.forEach((doc, i) => {
      expect(doc).not.toBeNull();
      expect(doc?.rev).toBe((before.get(unique[i]) ?? 0) + 4);
    });
    expect(await Contacts.countDocuments({ workspaceId: ws, contactId: /^new/ })).toBe(125);
  });
});
