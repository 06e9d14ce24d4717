import { emptyProfile, foldEvents, type CairnEvent } from '@cairn/core';
import {
  contactActivityModel,
  contactKey,
  contactModel,
  encodeDocumentKeys,
  ingestEvents,
  loadProfile,
  readProfileSummary,
  syncIndexes,
  unpackActivity,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_activity';
const T0 = Date.parse('2026-11-01T09:00:00Z');
const DAY = 86_400_000;

let seq = 0;
const order = (userId: string, day: number, revenue: number): CairnEvent => {
  seq += 1;
  return {
    messageId: `${userId}-o${seq}`,
    type: 'track',
    userId,
    event: 'Order Completed',
    properties: {
      revenue,
      products: [{ product_id: `p${seq % 3}`, category: 'Coffee', price: revenue, quantity: 1 }],
    },
    traits: {},
    context: {},
    timestamp: T0 + day * DAY,
    receivedAt: T0 + day * DAY,
  };
};

describe('a profile stored as a slim contact document plus its activity document', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('activity');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  const contact = (id: string) => contactModel(db.connection).findById(contactKey(WS, id)).lean();
  const whole = (events: CairnEvent[], id: string) => foldEvents(emptyProfile(id), events);

  it('keeps per-day series and occurrences out of the contact document and gives the whole profile back', async () => {
    const events = [order('ada', 0, 10), order('ada', 3, 20), order('ada', 9, 30)];
    await ingestEvents(db.connection, WS, events.slice(0, 2), { now: T0 + 3 * DAY });
    await ingestEvents(db.connection, WS, events.slice(2), { now: T0 + 9 * DAY });
    const doc = await contact('ada');
    const stored = readProfileSummary(doc!) as unknown as {
      events: Record<string, Record<string, unknown>>;
    };
    // Series and occurrences come back empty from the contact document alone.
    expect(stored.events['Order Completed']).toMatchObject({ byDay: {}, recent: [] });
    // What trait updates, the RFM job and member lists touch stays a field; the rest is one packed value.
    expect(Object.keys(doc!.profile).sort()).toEqual(['lastSeenAt', 'packed', 'traits']);
    expect(doc?.foldRev).toBe(2);
    expect(await loadProfile(db.connection, doc!)).toEqual(whole(events, 'ada'));
  });

  it('repairs an activity left one fold behind by a crash between the two writes', async () => {
    const events = [order('bea', 0, 10), order('bea', 2, 15), order('bea', 5, 25)];
    await ingestEvents(db.connection, WS, events.slice(0, 2), { now: T0 + 2 * DAY });
    const before = await contactActivityModel(db.connection).findById(contactKey(WS, 'bea')).lean();
    await ingestEvents(db.connection, WS, events.slice(2), { now: T0 + 5 * DAY });
    // The crash: the contact committed fold 2, the activity still holds fold 1.
    await contactActivityModel(db.connection).replaceOne({ _id: contactKey(WS, 'bea') }, before!);
    expect(await loadProfile(db.connection, (await contact('bea'))!)).toEqual(whole(events, 'bea'));
    // The next fold writes the repaired activity plus its own event.
    const more = order('bea', 7, 5);
    await ingestEvents(db.connection, WS, [more], { now: T0 + 7 * DAY });
    expect(
      (await contactActivityModel(db.connection).findById(contactKey(WS, 'bea')).lean())?.foldRev,
    ).toBe(3);
    expect(await loadProfile(db.connection, (await contact('bea'))!)).toEqual(
      whole([...events, more], 'bea'),
    );
  });

  it('rebuilds a lost activity from the event log', async () => {
    const events = [order('cy', 0, 10), order('cy', 1, 11), order('cy', 4, 12)];
    for (const e of events) await ingestEvents(db.connection, WS, [e], { now: e.timestamp });
    await contactActivityModel(db.connection).deleteOne({ _id: contactKey(WS, 'cy') });
    expect(await loadProfile(db.connection, (await contact('cy'))!)).toEqual(whole(events, 'cy'));
  });

  it('reads a contact stored whole before the split, and splits it at its next fold', async () => {
    const events = [order('dee', 0, 40), order('dee', 6, 60)];
    const legacy = whole(events.slice(0, 1), 'dee');
    await contactModel(db.connection).collection.insertOne({
      _id: contactKey(WS, 'dee'),
      workspaceId: WS,
      contactId: 'dee',
      anonymous: false,
      traits: {},
      tags: [],
      profile: encodeDocumentKeys(legacy),
      recentEventIds: [events[0]!.messageId],
      rev: 1,
      segments: {},
      nextEvaluationAt: null,
      subscriptions: {},
    } as never);
    expect(await loadProfile(db.connection, (await contact('dee'))!)).toEqual(legacy);
    await ingestEvents(db.connection, WS, events.slice(1), { now: T0 + 6 * DAY });
    const doc = await contact('dee');
    expect(doc?.foldRev).toBe(1);
    expect(await loadProfile(db.connection, doc!)).toEqual(whole(events, 'dee'));
  });

  it('stores the activity as one packed field, event names with dots and `$` included', async () => {
    const odd = (n: number): CairnEvent => ({
      ...order('eve', n, 5 + n),
      messageId: `eve-odd-${n}`,
      event: n % 2 ? 'page.viewed $home' : '__proto__',
      properties: { 'a.b': n, $price: 2 },
    });
    const events = [order('eve', 0, 10), odd(1), odd(2)];
    await ingestEvents(db.connection, WS, events, { now: T0 + 2 * DAY });
    const raw = await contactActivityModel(db.connection).collection.findOne({
      _id: contactKey(WS, 'eve') as never,
    });
    expect(Object.keys(raw ?? {}).sort()).toEqual([
      '_id',
      'contactId',
      'foldRev',
      'packed',
      'workspaceId',
    ]);
    expect(await loadProfile(db.connection, (await contact('eve'))!)).toEqual(whole(events, 'eve'));
  });

  it('reads an activity written before packing, and packs it at the next fold', async () => {
    const events = [order('fay', 0, 10), order('fay', 1, 20)];
    await ingestEvents(db.connection, WS, events.slice(0, 1), { now: T0 });
    const Activity = contactActivityModel(db.connection);
    const _id = contactKey(WS, 'fay');
    const packedDoc = await Activity.findById(_id).lean();
    // The older form: the same events as nested, key-encoded fields.
    await Activity.collection.replaceOne(
      { _id: _id as never },
      {
        workspaceId: WS,
        contactId: 'fay',
        foldRev: packedDoc!.foldRev,
        events: encodeDocumentKeys(unpackActivity(packedDoc!)),
      },
    );
    expect(await loadProfile(db.connection, (await contact('fay'))!)).toEqual(
      whole(events.slice(0, 1), 'fay'),
    );
    await ingestEvents(db.connection, WS, events.slice(1), { now: T0 + DAY });
    const after = await Activity.collection.findOne({ _id: _id as never });
    expect(after?.events).toBeUndefined();
    expect(after?.packed).toBeDefined();
    expect(await loadProfile(db.connection, (await contact('fay'))!)).toEqual(whole(events, 'fay'));
  });
});
