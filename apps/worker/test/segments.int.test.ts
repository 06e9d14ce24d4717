import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import {
  Worker,
  type NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import type { CairnEvent } from '@cairn/core';
import {
  contactKey,
  contactModel,
  createSegment,
  fileContactForEvaluation,
  getSegment,
  ingestEvents,
  journeyTriggerModel,
  segmentMembershipChangeModel,
  sweepDueContacts,
  updateSegment,
  type Database,
} from '@cairn/db';
import { bundleCairnWorkflows } from '../src/bundle';
import { createSegmentActivities, ensureSegmentSweepSchedule } from '../src/segments/index';
import { useWorkerTestStack } from './harness';

const DAY = 86_400_000;

function order(userId: string, messageId: string, at: number, revenue = 30): CairnEvent {
  return {
    messageId,
    type: 'track',
    userId,
    event: 'Order Completed',
    properties: { revenue },
    traits: {},
    context: {},
    timestamp: at,
    receivedAt: at,
  };
}

const noOrderIn21Days = {
  type: 'all',
  conditions: [
    { type: 'event', check: 'performed', event: 'Order Completed' },
    {
      type: 'event',
      check: 'notPerformed',
      event: 'Order Completed',
      window: { amount: 21, unit: 'days' },
    },
  ],
};

describe('segment membership on the real database', () => {
  let db: Database;
  let workspaceId: string;
  useWorkerTestStack(
    'segments',
    { temporal: 'none', workspace: { name: 'Clocks' } },
    (s) => ({ db, workspaceId } = s),
  );

  async function membersOf(contactId: string) {
    const doc = await contactModel(db.connection)
      .findById(contactKey(workspaceId, contactId))
      .lean();
    return Object.keys(doc?.segments ?? {});
  }

  it('enters "no order in 21 days" at day 21 (within one sweep) and not before, and leaves with the next order', async () => {
    await createSegment(db.connection, workspaceId, {
      segmentId: 'no-order-21d',
      name: 'No order in 21 days',
      definition: noOrderIn21Days,
    });
    const ordered = Date.UTC(2025, 4, 10, 15); // 10 May, 15:00 UTC
    await ingestEvents(db.connection, workspaceId, [order('ana', 'ana-o1', ordered)], {
      now: ordered,
    });
    expect(await membersOf('ana')).toEqual([]);

    // "Last 21 days" counts 10 May through 30 May; the order leaves the window at 31 May 00:00 UTC.
    const edge = Date.UTC(2025, 4, 31);
    const early = await sweepDueContacts(db.connection, { now: edge - 60_000, workspaceId });
    expect(early.contactsEvaluated).toBe(0);
    expect(await membersOf('ana')).toEqual([]);

    const sweepInterval = 60_000;
    const onTime = await sweepDueContacts(db.connection, {
      now: edge + sweepInterval - 1,
      workspaceId,
    });
    expect(onTime.entered).toBe(1);
    expect(await membersOf('ana')).toEqual(['no-order-21d']);
    const entered = await journeyTriggerModel(db.connection)
      .find({ workspaceId, contactId: 'ana', kind: 'segmentEntered' })
      .lean();
    expect(entered).toMatchObject([{ segmentId: 'no-order-21d', segmentVersion: 1 }]);
    expect((await getSegment(db.connection, workspaceId, 'no-order-21d'))?.memberCount).toBe(1);

    // A second sweep of the same minute finds nothing left to do.
    expect(
      (await sweepDueContacts(db.connection, { now: edge + sweepInterval, workspaceId }))
        .contactsEvaluated,
    ).toBe(0);

    const reordered = Date.UTC(2025, 5, 4, 9);
    await ingestEvents(db.connection, workspaceId, [order('ana', 'ana-o2', reordered)], {
      now: reordered,
    });
    expect(await membersOf('ana')).toEqual([]);
    expect(
      await journeyTriggerModel(db.connection).countDocuments({
        workspaceId,
        contactId: 'ana',
        kind: 'segmentExited',
        segmentId: 'no-order-21d',
      }),
    ).toBe(1);
    const history = await segmentMembershipChangeModel(db.connection)
      .find({ workspaceId, contactId: 'ana' })
      .sort({ at: 1 })
      .lean();
    expect(history.map((h) => [h.kind, h.reason, h.at])).toEqual([
      // Recorded at the moment the window ran out, whenever the sweep ran.
      ['entered', 'sweep', edge],
      ['exited', 'event', reordered],
    ]);
    expect((await getSegment(db.connection, workspaceId, 'no-order-21d'))?.memberCount).toBe(0);
  });

  it('skips a stale due entry when the contact moved to a later time', async () => {
    const at = Date.UTC(2025, 7, 1, 10);
    // Catch up first: ana from the test above has been due since 25 June on this clock.
    expect((await sweepDueContacts(db.connection, { now: at, workspaceId })).entered).toBe(1);
    await ingestEvents(db.connection, workspaceId, [order('ben', 'ben-o1', at)], { now: at });
    // An extra, stale filing an hour after the order: ben is really due on 22 Aug.
    await fileContactForEvaluation(db.connection, workspaceId, 'ben', at + 3_600_000);
    const r = await sweepDueContacts(db.connection, { now: at + 3_600_000 + 1, workspaceId });
    expect(r.contactsEvaluated).toBe(0);
    expect(r.contactsSkipped).toBe(1);
    const due = await sweepDueContacts(db.connection, {
      now: Date.UTC(2025, 7, 22, 0, 0, 30),
      workspaceId,
    });
    expect(due.entered).toBe(1);
    expect(await membersOf('ben')).toEqual(['no-order-21d']);
    expect((await getSegment(db.connection, workspaceId, 'no-order-21d'))?.memberCount).toBe(2);
  });

  it('catches up several past window ends in one sweep, each change at its own instant and revision', async () => {
    // "Ordered in the last 3 days" ends 3 days after the order, "no order in 5 days" starts 2 days later.
    await createSegment(db.connection, workspaceId, {
      segmentId: 'ordered-3d',
      name: 'Ordered in the last 3 days',
      definition: {
        type: 'all',
        conditions: [
          {
            type: 'event',
            check: 'performed',
            event: 'Order Completed',
            window: { amount: 3, unit: 'days' },
          },
        ],
      },
    });
    await createSegment(db.connection, workspaceId, {
      segmentId: 'quiet-5d',
      name: 'No order in 5 days',
      definition: {
        type: 'all',
        conditions: [
          { type: 'event', check: 'performed', event: 'Order Completed' },
          {
            type: 'event',
            check: 'notPerformed',
            event: 'Order Completed',
            window: { amount: 5, unit: 'days' },
          },
        ],
      },
    });
    // After the other tests' sweeps (the schedule's ran at the real time): a day's start, ten days ahead.
    const ordered = Math.floor(Date.now() / DAY) * DAY + 10 * DAY + 12 * 3_600_000;
    await ingestEvents(db.connection, workspaceId, [order('cato', 'cato-o1', ordered)], {
      now: ordered,
    });
    expect((await membersOf('cato')).sort()).toEqual(['ordered-3d']);
    const before = await contactModel(db.connection)
      .findById(contactKey(workspaceId, 'cato'))
      .lean();

    // The sweep comes back a month later: both window ends are past.
    await sweepDueContacts(db.connection, { now: ordered + 30 * DAY, workspaceId });
    expect((await membersOf('cato')).filter((s) => s !== 'no-order-21d')).toEqual(['quiet-5d']);
    const history = await segmentMembershipChangeModel(db.connection)
      .find({ workspaceId, contactId: 'cato', segmentId: { $in: ['ordered-3d', 'quiet-5d'] } })
      .sort({ at: 1 })
      .lean();
    expect(history.map((h) => [h.kind, h.segmentId, h.at])).toEqual([
      ['entered', 'ordered-3d', ordered],
      // Whole-day windows turn at the workspace's midnight (UTC here).
      ['exited', 'ordered-3d', ordered - 12 * 3_600_000 + 3 * DAY],
      ['entered', 'quiet-5d', ordered - 12 * 3_600_000 + 5 * DAY],
    ]);
    // Later changes carry higher revisions, so a journey never takes the exit for newer than the entry.
    const revs = history.map((h) => h.rev ?? 0);
    expect([...revs].sort((a, b) => a - b)).toEqual(revs);
    expect(new Set(revs).size).toBe(revs.length);
    const after = await contactModel(db.connection)
      .findById(contactKey(workspaceId, 'cato'))
      .lean();
    expect(after?.rev).toBeGreaterThanOrEqual((before?.rev ?? 0) + 2);
    expect((await getSegment(db.connection, workspaceId, 'ordered-3d'))?.memberCount).toBe(0);
    expect((await getSegment(db.connection, workspaceId, 'quiet-5d'))?.memberCount).toBe(1);
  });
});

describe('segment workflows on the Temporal dev server', () => {
  let bundle: WorkflowBundleWithSourceMap;
  let db: Database;
  let client: Client;
  let nativeConnection: NativeConnection;
  let namespace: string;
  let workspaceId: string;
  const taskQueue = `segments-${randomUUID()}`;

  useWorkerTestStack(
    'segwf',
    { temporal: 'dev-server', workspace: { name: 'Backfill' } },
    (s) => ({ db, client, nativeConnection, namespace, workspaceId } = s),
  );
  beforeAll(async () => {
    bundle = await bundleCairnWorkflows();
  }, 180_000);

  function worker() {
    return Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowBundle: bundle,
      activities: createSegmentActivities(db.connection),
    });
  }

  it('backfills a new segment over pages with continue-as-new, and again after an edit', async () => {
    const now = Date.now();
    // 23 contacts: i orders each for i = 0..3 (contacts with 0 orders have only a page view).
    const events: CairnEvent[] = [];
    for (let c = 0; c < 23; c++) {
      const orders = c % 4;
      for (let o = 0; o < orders; o++)
        events.push(order(`c${String(c).padStart(2, '0')}`, `c${c}-o${o}`, now - (o + 1) * DAY));
      if (orders === 0)
        events.push({
          ...order(`c${String(c).padStart(2, '0')}`, `c${c}-v`, now - DAY),
          event: 'Product Viewed',
          properties: {},
        });
    }
    await ingestEvents(db.connection, workspaceId, events, { now });
    const segment = await createSegment(db.connection, workspaceId, {
      segmentId: 'repeat-buyers',
      name: 'Repeat buyers',
      definition: {
        type: 'all',
        conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 2 }],
      },
    });
    const w = await worker();
    await w.runUntil(async () => {
      const first = await client.workflow.execute('segmentBackfillWorkflow', {
        taskQueue,
        workflowId: `bf-${randomUUID()}`,
        args: [
          {
            workspaceId,
            segmentId: 'repeat-buyers',
            version: segment.version,
            pageSize: 5,
            pagesPerRun: 2,
          },
        ],
      });
      // Contacts with 2 or 3 orders: c % 4 ∈ {2, 3} → 11 of 23.
      expect(first).toEqual({ state: 'done', memberCount: 11 });
      const afterFirst = await getSegment(db.connection, workspaceId, 'repeat-buyers');
      expect(afterFirst?.memberCount).toBe(11);
      expect(afterFirst?.backfill).toMatchObject({
        state: 'done',
        version: 1,
        processed: 23,
        total: 23,
      });

      const edited = await updateSegment(db.connection, workspaceId, 'repeat-buyers', {
        definition: {
          type: 'all',
          conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 3 }],
        },
      });
      expect(edited).toMatchObject({
        backfillNeeded: true,
        segment: { version: 2, backfill: { state: 'pending', version: 2 } },
      });
      const second = await client.workflow.execute('segmentBackfillWorkflow', {
        taskQueue,
        workflowId: `bf-${randomUUID()}`,
        args: [{ workspaceId, segmentId: 'repeat-buyers', version: 2, pageSize: 50 }],
      });
      expect(second).toEqual({ state: 'done', memberCount: 5 });
      // The 6 two-order buyers left: one exit trigger each, carrying the version that decided it.
      const exits = await journeyTriggerModel(db.connection)
        .find({ workspaceId, kind: 'segmentExited', segmentId: 'repeat-buyers' })
        .lean();
      expect(exits.length).toBe(6);
      expect(new Set(exits.map((e) => e.segmentVersion))).toEqual(new Set([2]));

      // A backfill started for an outdated version stops at once.
      const stale = await client.workflow.execute('segmentBackfillWorkflow', {
        taskQueue,
        workflowId: `bf-${randomUUID()}`,
        args: [{ workspaceId, segmentId: 'repeat-buyers', version: 1 }],
      });
      expect(stale).toEqual({ state: 'superseded' });
    });
  }, 180_000);

  it('runs the sweep from a Temporal Schedule, created once and updated idempotently', async () => {
    const scheduleId = `sweep-test-${randomUUID()}`;
    // A contact due a second ago (as after a crash between ingestion and evaluation): the scheduled sweep must pick it up.
    await contactModel(db.connection).updateOne(
      { _id: contactKey(workspaceId, 'c00') },
      { $set: { nextEvaluationAt: Date.now() - 1000, segments: {} } },
    );
    await fileContactForEvaluation(db.connection, workspaceId, 'c00', Date.now() - 1000);
    await createSegment(db.connection, workspaceId, {
      segmentId: 'viewers',
      name: 'Viewers',
      definition: {
        type: 'all',
        conditions: [{ type: 'event', check: 'performed', event: 'Product Viewed' }],
      },
    });

    expect(
      await ensureSegmentSweepSchedule(client, { taskQueue, intervalSeconds: 3600, scheduleId }),
    ).toBe('created');
    expect(
      await ensureSegmentSweepSchedule(client, { taskQueue, intervalSeconds: 1, scheduleId }),
    ).toBe('updated');
    const handle = client.schedule.getHandle(scheduleId);
    try {
      const described = await handle.describe();
      expect(described.spec.intervals?.[0]?.every).toBe(1000);
      const w = await worker();
      await w.runUntil(async () => {
        for (let i = 0; i < 100; i++) {
          const doc = await contactModel(db.connection)
            .findById(contactKey(workspaceId, 'c00'))
            .lean();
          if (doc?.segments?.viewers) return;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error('the scheduled sweep did not re-evaluate the due contact within 20 s');
      });
    } finally {
      await handle.delete();
    }
  }, 120_000);
});
