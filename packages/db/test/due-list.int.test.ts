import {
  DUE_BUCKET_MS,
  dueBucketKey,
  dueBucketStart,
  fileContactsForEvaluation,
  sweepDueContacts,
  syncIndexes,
} from '../src/index';
import { segmentDueBucketModel, segmentSweepCursorModel } from '../src/segments/models';
import { testDatabase } from './helpers';

const WS = 'ws_due';
const DAY = dueBucketStart(Date.parse('2026-12-01T00:00:00Z'));

describe('the due list: contacts filed by the instant a time window of theirs ends', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  beforeAll(async () => {
    db = await testDatabase('due');
    await syncIndexes(db.connection);
  });
  afterAll(async () => db.drop());

  it('keeps a busy day in small pages, and a sweep takes only the entries that are due', async () => {
    // 1,200 contacts due across one day, filed as three fold passes would file them.
    const entries = Array.from({ length: 1_200 }, (_, i) => ({
      contactId: `c${i}`,
      at: DAY + i * 60_000,
    }));
    for (let i = 0; i < entries.length; i += 400)
      await fileContactsForEvaluation(db.connection, WS, entries.slice(i, i + 400));

    const pages = await segmentDueBucketModel(db.connection).find({ workspaceId: WS }).lean();
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...pages.map((p) => p.contactIds.length))).toBeLessThanOrEqual(500);
    expect(pages.reduce((n, p) => n + p.contactIds.length, 0)).toBe(1_200);

    // At 05:00, 301 contacts are due (00:00 to 05:00 inclusive); none of them exists, so each entry is stale.
    const fiveAm = DAY + 300 * 60_000;
    const first = await sweepDueContacts(db.connection, { now: fiveAm, workspaceId: WS });
    expect(first.contactsEvaluated + first.contactsSkipped).toBe(301);
    expect(first.nextDueAt).toBe(fiveAm + 60_000);
    // Handled entries are gone; the rest wait for their instant.
    const again = await sweepDueContacts(db.connection, { now: fiveAm, workspaceId: WS });
    expect(again.contactsEvaluated + again.contactsSkipped).toBe(0);
    const left = (
      await segmentDueBucketModel(db.connection).find({ workspaceId: WS }).lean()
    ).reduce((n, p) => n + p.contactIds.length, 0);
    expect(left).toBe(899);

    // The next day, everything is handled, and two days on the emptied pages are gone.
    await sweepDueContacts(db.connection, { now: DAY + DUE_BUCKET_MS + 1, workspaceId: WS });
    await sweepDueContacts(db.connection, { now: DAY + 2 * DUE_BUCKET_MS + 1, workspaceId: WS });
    expect(await segmentDueBucketModel(db.connection).countDocuments({ workspaceId: WS })).toBe(0);
  });

  it('takes over a due list written in the older per-minute format', async () => {
    const ws = `${WS}_older`;
    const minute = DAY + 7 * 3_600_000 + 30 * 60_000;
    // Before format 2: one bucket per minute holding bare contact ids, and a cursor with no format.
    await segmentDueBucketModel(db.connection).collection.insertOne({
      _id: dueBucketKey(ws, minute) as never,
      workspaceId: ws,
      bucketStart: minute,
      contactIds: ['old-1', 'old-2'],
    });
    await segmentSweepCursorModel(db.connection).collection.insertOne({
      _id: ws as never,
      sweptBefore: DAY,
      updatedAt: new Date(),
    });

    const before = await sweepDueContacts(db.connection, { now: minute - 1, workspaceId: ws });
    expect(before.contactsEvaluated + before.contactsSkipped).toBe(0);
    expect(before.nextDueAt).toBe(minute);
    const page = await segmentDueBucketModel(db.connection).findById(dueBucketKey(ws, DAY)).lean();
    expect(page?.contactIds.sort()).toEqual([`${minute}|old-1`, `${minute}|old-2`]);

    const due = await sweepDueContacts(db.connection, { now: minute, workspaceId: ws });
    expect(due.contactsEvaluated + due.contactsSkipped).toBe(2);
  });
});
