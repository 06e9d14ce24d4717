import type { CairnEvent } from '@cairn/core';
import {
  contactKey,
  contactModel,
  foldPendingEvents,
  foldStoredEvents,
  ingestEvents,
  readProfileSummary,
  storeEvents,
  syncIndexes,
} from '../src/index';
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
    const doc = await contactModel(db.connection)
      .findById(contactKey(WS, userId), { profile: 1 })
      .lean();
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
    await storeEvents(db.connection, WS, [ping('imported', 1)], {
      now: T0,
      foldWithinMs: 15 * 60_000,
    });
    expect(await foldPendingEvents(db.connection, { now: T0 + 5 * 60_000 })).toBe(0);
    expect(await pings('imported')).toBe(0);
    expect(await foldPendingEvents(db.connection, { now: T0 + 16 * 60_000 })).toBe(1);
    expect(await pings('imported')).toBe(1);
  });
});

describe('a fold that committed and died before deleting its marker', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('pending-committed');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  const count = async (userId: string) => {
    const doc = await contactModel(db.connection)
      .findById(contactKey(WS, userId), { profile: 1 })
      .lean();
    return doc ? (readProfileSummary(doc).events['Ping']?.count ?? 0) : 0;
  };

  it('is not folded again by the sweeper, however many events the contact received since', async () => {
    const stored = await storeEvents(db.connection, WS, [ping('busy', 0)], { now: T0 });
    // The fold commits the contact, and the process dies before the marker is deleted.
    await foldStoredEvents(db.connection, { ...stored, markerIds: [] }, { now: T0 });
    expect(await count('busy')).toBe(1);
    // Far more events than the contact's window of applied messageIds, each request folded normally.
    for (let batch = 0; batch < 5; batch++) {
      const events = Array.from({ length: 60 }, (_, i) => ping('busy', 1 + batch * 60 + i));
      await ingestEvents(db.connection, WS, events, { now: T0 + 1000 + batch });
    }
    expect(await count('busy')).toBe(301);
    expect(await foldPendingEvents(db.connection, { now: T0 + 60_000 })).toBe(0);
    expect(await count('busy')).toBe(301);
  });
});
