import type { CairnEvent } from '@cairn/core';
import {
  contactKey,
  contactModel,
  foldLag,
  foldPendingEvents,
  foldStoredEvents,
  ingestEvents,
  parkedFolds,
  pendingFoldModel,
  readProfileSummary,
  retryParkedFolds,
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

  it('are counted and folded from markers written before the list was packed into one string', async () => {
    const ws = 'ws_pending_legacy';
    const stored = await storeEvents(db.connection, ws, [ping('old', 1), ping('old', 2)], {
      now: T0,
    });
    const [markerId] = stored.markerIds;
    // As an older release wrote it: the messageIds as a list, no count.
    await pendingFoldModel(db.connection).updateOne(
      { _id: markerId },
      { $set: { messageIds: ['old-ping-1', 'old-ping-2'] }, $unset: { ids: '', count: '' } },
    );
    expect((await foldLag(db.connection, { workspaceId: ws, now: T0 + 1000 })).pendingEvents).toBe(
      2,
    );
    expect(await foldPendingEvents(db.connection, { now: T0 + 31_000 })).toBe(2);
    const doc = await contactModel(db.connection)
      .findById(contactKey(ws, 'old'), { profile: 1 })
      .lean();
    expect(doc ? readProfileSummary(doc).events['Ping']?.count : undefined).toBe(2);
    expect((await foldLag(db.connection, { workspaceId: ws })).pendingEvents).toBe(0);
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

describe('a contact whose events cannot be folded', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  const WS2 = 'ws_parked';
  beforeAll(async () => {
    db = await testDatabase('pending-parked');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  const count = async (userId: string) => {
    const doc = await contactModel(db.connection)
      .findById(contactKey(WS2, userId), { profile: 1 })
      .lean();
    return doc ? (readProfileSummary(doc).events['Ping']?.count ?? 0) : 0;
  };

  it('is parked with its reason, never holds up the others, is not retried forever, and folds once after a fix', async () => {
    // A stored profile no fold can read (written by hand: the API could not produce it).
    await contactModel(db.connection).collection.insertOne({
      _id: contactKey(WS2, 'poison'),
      workspaceId: WS2,
      contactId: 'poison',
      profile: null,
      recentEventIds: [],
      rev: 0,
      foldRev: 1,
      segments: {},
    } as never);
    await storeEvents(db.connection, WS2, [ping('fine', 1), ping('poison', 1)], { now: T0 });
    expect(await foldPendingEvents(db.connection, { now: T0 + 31_000 })).toBe(1);
    expect(await count('fine')).toBe(1);
    const lag = await foldLag(db.connection, { workspaceId: WS2, now: T0 + 32_000 });
    expect(lag).toMatchObject({ pendingEvents: 0, oldestAgeMs: 0, parkedEvents: 2 });
    const [parked] = await parkedFolds(db.connection, WS2);
    expect(parked?.contactIds).toEqual(['poison']);
    expect(parked?.reason).toMatch(/\w/);
    // Not retried by the next passes.
    expect(await foldPendingEvents(db.connection, { now: T0 + 60_000 })).toBe(0);
    // The fix, then the retry: the poisoned contact folds, the other is not folded twice.
    await contactModel(db.connection).deleteOne({ _id: contactKey(WS2, 'poison') });
    expect(await retryParkedFolds(db.connection, WS2)).toBe(1);
    expect(await foldPendingEvents(db.connection, { now: Date.now() + 1_000 })).toBe(1);
    expect(await count('poison')).toBe(1);
    expect(await count('fine')).toBe(1);
    expect((await foldLag(db.connection, { workspaceId: WS2 })).parkedEvents).toBe(0);
  });
});
