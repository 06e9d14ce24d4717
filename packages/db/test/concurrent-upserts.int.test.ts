import type { CairnEvent } from '@cairn/core';
import { eventSchemaModel, ingestEvents, recordEventSchemas, syncIndexes } from '../src/index';
import { testDatabase } from './helpers';

const T0 = Date.parse('2026-11-29T09:00:00Z');
const track = (n: number, extra: Partial<CairnEvent> = {}): CairnEvent => ({
  messageId: `m-${n}`,
  type: 'track',
  userId: `u-${n}`,
  event: 'Brand New Event',
  properties: { n },
  traits: {},
  context: {},
  timestamp: T0 + n,
  receivedAt: T0 + n,
  ...extra,
});

// Found by the ingest bench: two batches that both saw a new event name at once made one of them a 500.
describe('first sightings written by concurrent batches', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('upserts');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  it('record a new event name once, whoever inserts it first', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => recordEventSchemas(db.connection, 'ws_u', [track(i)])),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const docs = await eventSchemaModel(db.connection).find({ workspaceId: 'ws_u' }).lean();
    expect(docs.map((d) => d.event)).toEqual(['Brand New Event']);
    expect(docs[0]?.properties).toMatchObject({ n: 'number' });
  });

  it('link one new anonymous id from several batches at once', async () => {
    const batches = Array.from({ length: 8 }, (_, i) => [
      track(100 + i, { userId: 'shopper', anonymousId: 'anon-42', event: 'Product Viewed' }),
    ]);
    const results = await Promise.allSettled(
      batches.map((batch) => ingestEvents(db.connection, 'ws_u', batch, { now: T0 })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const later = await ingestEvents(
      db.connection,
      'ws_u',
      [track(200, { userId: undefined, anonymousId: 'anon-42', event: 'Product Viewed' })],
      { now: T0 },
    );
    expect(later.contacts).toEqual(['shopper']);
  });
});
