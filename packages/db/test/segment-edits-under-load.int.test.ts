import type { CairnEvent } from '@cairn/core';
import {
  connectDatabase,
  countSegmentMembers,
  createSegment,
  getSegment,
  ingestEvents,
  loadWorkspaceSegments,
  reevaluateContact,
  segmentKey,
  segmentModel,
  syncIndexes,
  updateSegment,
  type Database,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_edits';
const T0 = Date.parse('2026-11-20T09:00:00Z');
const HOUR = 3_600_000;
const CONTACTS = 16;
const EDITS = 25;

const order = (contactId: string): CairnEvent => ({
  messageId: `order-${contactId}`,
  type: 'track',
  userId: contactId,
  event: 'Order Completed',
  properties: { revenue: 20 },
  traits: {},
  context: {},
  timestamp: T0,
  receivedAt: T0,
});

// Members while the order is under a day old: evaluating at T0 + 1 h enters, at T0 + 3 days exits.
const recentBuyers = {
  type: 'all',
  conditions: [
    {
      type: 'event',
      check: 'performed',
      event: 'Order Completed',
      window: { amount: 1, unit: 'days' },
    },
  ],
};

describe('a segment edited while its membership churns', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let other: Database; // a second connection, as a second API or worker process would hold
  beforeAll(async () => {
    db = await testDatabase('edits');
    await syncIndexes(db.connection);
    other = await connectDatabase(process.env.MONGO_URL as string, db.connection.name);
  });
  afterAll(async () => {
    await other.close();
    await db.drop();
  });

  it(`keeps every one of ${EDITS} edits and counts every entry and exit from two processes`, async () => {
    const contacts = Array.from({ length: CONTACTS }, (_, i) => `buyer-${i}`);
    await ingestEvents(db.connection, WS, contacts.map(order), { now: T0 });
    await createSegment(db.connection, WS, {
      segmentId: 'recent-buyers',
      name: 'Recent buyers',
      definition: recentBuyers,
    });

    let editing = true;
    let evaluation = 0;
    // Each contact flips in or out on every evaluation, so every one moves memberCount.
    const churn = async (connection: Database['connection'], share: string[]) => {
      for (let round = 0; editing || round < 4; round++) {
        for (const contactId of share) {
          const now = (round % 2 === 0 ? T0 + HOUR : T0 + 72 * HOUR) + ++evaluation;
          await reevaluateContact(connection, { workspaceId: WS, contactId, now, reason: 'test' });
        }
      }
    };
    const edit = async () => {
      const lost: string[] = [];
      for (let i = 0; i < EDITS; i++) {
        await updateSegment(db.connection, WS, 'recent-buyers', {
          name: `Recent buyers ${i}`,
          description: `edit ${i}`,
        });
        await new Promise((resolve) => setTimeout(resolve, 25));
        const now = await getSegment(db.connection, WS, 'recent-buyers');
        if (now?.name !== `Recent buyers ${i}` || now.description !== `edit ${i}`)
          lost.push(`edit ${i} read back as "${now?.name}" / "${now?.description}"`);
      }
      editing = false;
      return lost;
    };
    const connections = [db.connection, other.connection];
    const workers = Array.from({ length: 8 }, (_, w) =>
      churn(
        connections[w % 2] as Database['connection'],
        contacts.filter((_, i) => i % 8 === w),
      ),
    );
    const [lost] = await Promise.all([edit(), ...workers]);

    expect(lost).toEqual([]);
    const final = await getSegment(db.connection, WS, 'recent-buyers');
    expect({ name: final?.name, description: final?.description }).toEqual({
      name: `Recent buyers ${EDITS - 1}`,
      description: `edit ${EDITS - 1}`,
    });
    expect(final?.memberCount).toBe(await countSegmentMembers(db.connection, WS, 'recent-buyers'));
  }, 120_000);

  it('carries over the figures of a segment saved before they moved out of the segment document', async () => {
    const now = new Date(T0);
    await segmentModel(db.connection).collection.insertOne({
      _id: segmentKey(WS, 'legacy') as never,
      workspaceId: WS,
      segmentId: 'legacy',
      name: 'Saved before segment_stats',
      description: '',
      definition: recentBuyers,
      version: 3,
      status: 'active',
      memberCount: 7,
      backfill: { state: 'done', version: 3, processed: 40, total: 40 },
      createdAt: now,
      updatedAt: now,
    });
    expect(await getSegment(db.connection, WS, 'legacy')).toMatchObject({
      memberCount: 7,
      backfill: { state: 'done', version: 3 },
    });
    // Never evaluated for this segment, buyer-0 enters it within the order's day; the count goes on from 7.
    const segments = await loadWorkspaceSegments(db.connection, WS, { fresh: true });
    await reevaluateContact(db.connection, {
      workspaceId: WS,
      contactId: 'buyer-0',
      now: T0 + HOUR - 1,
      reason: 'test',
      segments,
    });
    expect((await getSegment(db.connection, WS, 'legacy'))?.memberCount).toBe(8);
  });
});
