import { createUser, sessionModel, signIn, syncIndexes, verifySession } from '../src/index';
import { testDatabase } from './helpers';

describe('designer sessions', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('sessions');
    await syncIndexes(db.connection);
    await createUser(db.connection, 'ws_s', {
      email: 'ana@example.test',
      name: 'Ana',
      role: 'editor',
      password: 'a-long-enough-password',
    });
  });
  afterAll(async () => db.drop());

  it('are refused after they expire and deleted by a later sign-in, while live ones stay', async () => {
    const t0 = new Date('2026-11-29T08:00:00Z');
    const first = await signIn(
      db.connection,
      { email: 'ana@example.test', password: 'a-long-enough-password' },
      { now: t0 },
    );
    expect(first).toBeDefined();
    expect(
      await verifySession(db.connection, first!.token, new Date(t0.getTime() + 60_000)),
    ).toMatchObject({ email: 'ana@example.test', role: 'editor' });

    const t1 = new Date(t0.getTime() + 13 * 60 * 60 * 1000); // past the 12 h session life
    expect(await verifySession(db.connection, first!.token, t1)).toBeUndefined();
    expect(await sessionModel(db.connection).countDocuments()).toBe(1);

    const second = await signIn(
      db.connection,
      { email: 'ana@example.test', password: 'a-long-enough-password' },
      { now: t1 },
    );
    const left = await sessionModel(db.connection).find({}, { _id: 1 }).lean();
    expect(left.map((s) => s._id)).toEqual([second!.token.split('_')[1]]);
    expect(await verifySession(db.connection, second!.token, t1)).toMatchObject({
      email: 'ana@example.test',
    });
  });
});
