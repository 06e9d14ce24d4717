import type { CairnEvent } from '@cairn/core';
import {
  createSegment,
  ingestEvents,
  listSegmentMembers,
  reevaluateContact,
  SegmentProblem,
  syncIndexes,
} from '../src/index';
import {
  fileNewMembers,
  MEMBER_PAGE_SIZE,
  segmentMemberPageModel,
} from '../src/segments/member-pages';
import { testDatabase } from './helpers';

const WS = 'ws_members';
const T0 = Date.parse('2026-11-20T09:00:00Z');
const HOUR = 3_600_000;
const CONTACTS = 620;

const order = (contactId: string): CairnEvent => ({
  messageId: `order-${contactId}`,
  type: 'track',
  userId: contactId,
  event: 'Order Completed',
  properties: { revenue: 20 },
  traits: { email: `${contactId}@example.com` },
  context: {},
  timestamp: T0,
  receivedAt: T0,
});

// Members while their order is under a day old.
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

const ids = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `c${String(i + from).padStart(4, '0')}`);

describe('segment members listed from member pages keyed by _id', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('members');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  async function everyMember(segmentId: string, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await listSegmentMembers(db.connection, WS, segmentId, {
        limit,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items.map((m) => m.id));
      if (!page.nextCursor) return seen;
      cursor = page.nextCursor;
    }
    throw new Error('the listing never ended');
  }

  it('lists every member once across pages, through entries and exits', async () => {
    await createSegment(db.connection, WS, {
      segmentId: 'recent-buyers',
      name: 'Recent buyers',
      definition: recentBuyers as never,
    });
    const all = ids(CONTACTS);
    for (let i = 0; i < all.length; i += 100)
      await ingestEvents(db.connection, WS, all.slice(i, i + 100).map(order), { now: T0 + HOUR });

    const pages = await segmentMemberPageModel(db.connection)
      .find({ workspaceId: WS, segmentId: 'recent-buyers', contactIds: { $exists: true } })
      .lean();
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...pages.map((p) => p.contactIds.length))).toBeLessThanOrEqual(
      MEMBER_PAGE_SIZE,
    );

    const listed = await everyMember('recent-buyers', 70);
    expect(listed.length).toBe(CONTACTS);
    expect(new Set(listed).size).toBe(CONTACTS);
    const first = await listSegmentMembers(db.connection, WS, 'recent-buyers', { limit: 1 });
    expect(first.items).toEqual([
      expect.objectContaining({ id: 'c0000', since: T0 + HOUR, version: 1 }),
    ]);

    // Half of them are evaluated three days on: their order left the window, so they leave.
    const leaving = ids(CONTACTS / 2);
    for (const contactId of leaving)
      await reevaluateContact(db.connection, {
        workspaceId: WS,
        contactId,
        now: T0 + 72 * HOUR,
        reason: 'sweep',
      });
    const left = await everyMember('recent-buyers', 200);
    expect(left.sort()).toEqual(ids(CONTACTS / 2, CONTACTS / 2));
    // Their entries were pulled, not only hidden.
    const entries = (
      await segmentMemberPageModel(db.connection)
        .find({ workspaceId: WS, segmentId: 'recent-buyers', contactIds: { $exists: true } })
        .lean()
    ).flatMap((p) => p.contactIds);
    expect(entries.length).toBe(CONTACTS / 2);
  });

  it('never lists an entry whose contact is not a member (a fold that died before its state write)', async () => {
    const segments: Record<string, { since: number; version: number; page?: number }> = {
      'recent-buyers': { since: T0, version: 1 },
    };
    await fileNewMembers(db.connection, WS, [
      {
        contactId: 'c0000',
        segments,
        entered: [{ segmentId: 'recent-buyers', version: 1 }],
      },
      { contactId: 'nobody', segments, entered: [{ segmentId: 'recent-buyers', version: 1 }] },
    ]);
    const listed = await everyMember('recent-buyers', 500);
    expect(listed).not.toContain('c0000');
    expect(listed).not.toContain('nobody');
    expect(listed.length).toBe(CONTACTS / 2);
  });

  it('builds the pages of a segment whose members predate them, once, on the first listing', async () => {
    // As an upgraded database holds it: members in their states, no member pages, states naming no page.
    await segmentMemberPageModel(db.connection).deleteMany({
      workspaceId: WS,
      segmentId: 'recent-buyers',
    });
    const Contacts = db.connection.collection('contacts');
    await Contacts.updateMany(
      { workspaceId: WS, 'segments.recent-buyers': { $exists: true } },
      { $unset: { 'segments.recent-buyers.page': '' } },
    );
    expect((await everyMember('recent-buyers', 120)).sort()).toEqual(
      ids(CONTACTS / 2, CONTACTS / 2),
    );
    // An older member who leaves has no page to be pulled from, and still drops out of the listing.
    await reevaluateContact(db.connection, {
      workspaceId: WS,
      contactId: 'c0310',
      now: T0 + 72 * HOUR,
      reason: 'sweep',
    });
    const after = await everyMember('recent-buyers', 500);
    expect(after).not.toContain('c0310');
    expect(after.length).toBe(CONTACTS / 2 - 1);
  });

  it('refuses a cursor it did not hand out, naming the field', async () => {
    await expect(
      listSegmentMembers(db.connection, WS, 'recent-buyers', { cursor: 'c0400' }),
    ).rejects.toMatchObject({
      constructor: SegmentProblem,
      kind: 'invalid',
      issues: [expect.objectContaining({ path: 'cursor' })],
    });
  });
});
