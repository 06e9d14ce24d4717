import type { CairnEvent } from '@cairn/core';
import { contactKey, contactModel, foldPendingEvents, readProfileSummary, storeEvents, syncIndexes } from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_pending';
const T0 = Date.parse('2026-11-29T09:00:00Z');

const ping = (userId: string, n: number): CairnEvent => ({
  messageId: `${userId}-ping-${n}`,
  type: 'track',
  userId,
  event: 'Ping',
  properties: {},
  traits: {},
  context: {},
  timestamp: T0 + n,
  receivedAt: T0 + n,
});

describe('events stored but not yet folded (an ingest that died in between)', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('pending');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  const pings = async (userId: string) => {
    const doc = await contactModel(db.connection).findById(contactKey(WS, userId), { profile: 1 }).lean();
    return doc ? (readProfileSummary(doc).events['Ping']?.count ?? 0) : 0;
  };

  it('are folded by the sweeper once the ingest that stored them had time to finish, and only once', async () => {
    await storeEvents(db.connection, WS, [ping('live', 1), ping('live', 2)], { now: T0 });
    // Live ingestion folds within seconds: the sweeper keeps off for 30 s.
    expect(await foldPendingEvents(db.connection, { now: T0 + 10_000 })).toBe(0);
    expect(await pings('live')).toBe(0);
    expect(await foldPendingEvents(db.connection, { now: T0 + 31_000 })).toBe(2);
    expect(await pings('live')).toBe(2);
    expect(await foldPendingEvents(db.connection, { now: T0 + 60_000 })).toBe(0);
    expect(await pings('live')).toBe(2);
  });

  it('leave an import alone for as long as it said it needs to fold its window', async () => {
    await storeEvents(db.connection, WS, [ping('imported', 1)], { now: T0, foldWithinMs: 15 * 60_000 });
    expect(await foldPendingEvents(db.connection, { now: T0 + 5 * 60_000 })).toBe(0);
    expect(await pings('imported')).toBe(0);
    expect(await foldPendingEvents(db.connection, { now: T0 + 16 * 60_000 })).toBe(1);
    expect(await pings('imported')).toBe(1);
  });
});
