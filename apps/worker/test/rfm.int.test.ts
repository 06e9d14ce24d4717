import { randomBytes, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { CairnEvent, RfmScores } from '@cairn/core';
import {
  contactKey,
  contactModel,
  createSegment,
  createWorkspace,
  getSegment,
  ingestEvents,
  readProfileSummary,
  recomputeRfm,
  sweepDueContacts,
  type Database,
} from '@cairn/db';
import { bundleCairnWorkflows } from '../src/bundle';
import { createRfmActivities, ensureRfmSchedule, rfmIntervalHours } from '../src/rfm/index';
import { useWorkerTestStack } from './harness';

const DAY = 86_400_000;
const HOUR = 3_600_000;

function order(userId: string, messageId: string, at: number, revenue: number): CairnEvent {
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

/**
 * Ten buyers c0…c9 where a higher number is better on every axis: c<k> placed k+1 orders of 10×(k+1)
 * each, the last one 20−2k days ago. Two twins, ordering alike within the same day, sit in the middle;
 * one contact only browsed and must not be scored.
 */
function shop(now: number): CairnEvent[] {
  const events: CairnEvent[] = [];
  for (let k = 0; k < 10; k++) {
    const last = now - (20 - 2 * k) * DAY;
    for (let o = 0; o <= k; o++)
      events.push(order(`c${k}`, `c${k}-o${o}`, last - o * DAY, 10 * (k + 1)));
  }
  for (const [twin, hour] of [
    ['twin-a', 1],
    ['twin-b', 2],
  ] as const) {
    const last = now - 11 * DAY - hour * HOUR;
    for (let o = 0; o < 3; o++) events.push(order(twin, `${twin}-o${o}`, last - o * DAY, 25));
  }
  events.push({
    ...order('browser', 'browser-v1', now - DAY, 0),
    event: 'Product Viewed',
    properties: {},
  });
  return events;
}

describe('RFM recompute on the real database', () => {
  let db: Database;
  let workspaceId: string;
  const now = Date.UTC(2025, 8, 15, 12);

  useWorkerTestStack(
    'rfm',
    { temporal: 'none', workspace: { name: 'Scores' } },
    (s) => ({ db, workspaceId } = s),
  );
  beforeAll(async () => {
    await ingestEvents(db.connection, workspaceId, shop(now), { now });
  });

  async function contact(contactId: string) {
    const doc = await contactModel(db.connection)
      .findById(contactKey(workspaceId, contactId))
      .lean();
    if (!doc) throw new Error(`no contact ${contactId}`);
    return {
      rfm: readProfileSummary(doc).rfm,
      segments: Object.keys(doc.segments ?? {}),
      rev: doc.rev,
    };
  }

  it('scores the best buyer 5/5/5, the worst 1/1/1 and ties alike, and an rfmTotal segment picks them up on the next sweep', async () => {
    await createSegment(db.connection, workspaceId, {
      segmentId: 'vip',
      name: 'VIP customers',
      definition: {
        type: 'all',
        conditions: [{ type: 'metric', metric: 'rfmTotal', operator: 'gte', value: 13 }],
      },
    });
    expect((await contact('c9')).segments).toEqual([]);

    // Small pages so the scan crosses several of them.
    const report = await recomputeRfm(db.connection, workspaceId, { now, pageSize: 5 });
    expect(report).toMatchObject({ contactsScored: 12, contactsUpdated: 12 });

    const best = await contact('c9');
    expect(best.rfm).toEqual<RfmScores>({
      recency: 5,
      frequency: 5,
      monetary: 5,
      total: 15,
      scoredAt: now,
    });
    expect((await contact('c0')).rfm).toEqual<RfmScores>({
      recency: 1,
      frequency: 1,
      monetary: 1,
      total: 3,
      scoredAt: now,
    });
    const [a, b] = [(await contact('twin-a')).rfm, (await contact('twin-b')).rfm];
    expect(a).toBeDefined();
    expect(a).toEqual(b);
    // The twins placed as many orders as c2, so they share its frequency score.
    expect(a?.frequency).toBe((await contact('c2')).rfm?.frequency);
    expect((await contact('browser')).rfm).toBeUndefined();
    // Scores rise with the buyer's rank on every axis.
    const totals: number[] = [];
    for (let k = 0; k < 10; k++) totals.push((await contact(`c${k}`)).rfm?.total ?? 0);
    expect(totals).toEqual([...totals].sort((x, y) => x - y));

    // Scoring alone changes no membership: the sweep re-evaluates the rescored contacts.
    expect(best.segments).toEqual([]);
    const swept = await sweepDueContacts(db.connection, { now: now + 1, workspaceId });
    expect(swept.entered).toBe(3);
    const vips: string[] = [];
    for (const id of [
      'browser',
      'twin-a',
      'twin-b',
      ...Array.from({ length: 10 }, (_, k) => `c${k}`),
    ]) {
      if ((await contact(id)).segments.includes('vip')) vips.push(id);
    }
    // c7 beats 10 of 12 buyers on every axis: ceil(5 × 10/12) = 5 each.
    expect(vips).toEqual(['c7', 'c8', 'c9']);
    expect((await getSegment(db.connection, workspaceId, 'vip'))?.memberCount).toBe(3);
  });

  it('writes only the contacts whose scores changed, and rescoring moves them in or out of segments', async () => {
    const before = await contact('c9');
    const again = await recomputeRfm(db.connection, workspaceId, { now: now + 2 });
    expect(again).toMatchObject({ contactsScored: 12, contactsUpdated: 0 });
    expect((await contact('c9')).rev).toBe(before.rev);

    // c0 comes back with a splurge: ten orders of 500 today. It overtakes everyone on all three axes.
    const later = now + HOUR;
    await ingestEvents(
      db.connection,
      workspaceId,
      Array.from({ length: 10 }, (_, o) =>
        order('c0', `c0-comeback-${o}`, later - o * 60_000, 500),
      ),
      { now: later },
    );
    const rescored = await recomputeRfm(db.connection, workspaceId, { now: later });
    expect((await contact('c0')).rfm).toMatchObject({
      recency: 5,
      frequency: 5,
      monetary: 5,
      total: 15,
      scoredAt: later,
    });
    expect(rescored.contactsUpdated).toBeGreaterThan(1);

    const swept = await sweepDueContacts(db.connection, { now: later + 1, workspaceId });
    expect(swept.entered).toBeGreaterThanOrEqual(1);
    expect((await contact('c0')).segments).toContain('vip');
  });
});

describe('RFM recompute on the Temporal dev server', () => {
  let db: Database;
  let client: Client;
  let nativeConnection: NativeConnection;
  let namespace: string;
  const taskQueue = `rfm-${randomUUID()}`;

  useWorkerTestStack(
    'rfmwf',
    { temporal: 'dev-server' },
    (s) => ({ db, client, nativeConnection, namespace } = s),
  );

  it('rescores every workspace in one workflow run', async () => {
    const now = Date.now();
    const ids: string[] = [];
    for (const name of ['North', 'South']) {
      const id = (
        await createWorkspace(db.connection, {
          name,
          slug: `${name.toLowerCase()}-${randomBytes(3).toString('hex')}`,
        })
      ).workspace._id;
      await ingestEvents(db.connection, id, shop(now), { now });
      ids.push(id);
    }
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      taskQueue,
      workflowBundle: await bundleCairnWorkflows(),
      activities: createRfmActivities(db.connection),
    });
    const result = await worker.runUntil(
      client.workflow.execute('rfmRecomputeWorkflow', {
        taskQueue,
        workflowId: `rfm-${randomUUID()}`,
        args: [],
      }),
    );
    expect(result).toEqual({
      workspaces: 2,
      contactsScored: 24,
      contactsUpdated: 24,
      failedWorkspaces: [],
    });
    for (const id of ids) {
      const doc = await contactModel(db.connection).findById(contactKey(id, 'c9')).lean();
      expect(doc && readProfileSummary(doc).rfm).toMatchObject({
        recency: 5,
        frequency: 5,
        monetary: 5,
        total: 15,
      });
    }
  }, 180_000);

  it('creates the daily schedule once and follows CAIRN_RFM_INTERVAL_HOURS after', async () => {
    expect(rfmIntervalHours({})).toBe(24);
    expect(rfmIntervalHours({ CAIRN_RFM_INTERVAL_HOURS: '6' })).toBe(6);
    expect(() => rfmIntervalHours({ CAIRN_RFM_INTERVAL_HOURS: 'daily' })).toThrow(
      /CAIRN_RFM_INTERVAL_HOURS/,
    );

    const scheduleId = `rfm-test-${randomUUID()}`;
    expect(await ensureRfmSchedule(client, { taskQueue, intervalHours: 24, scheduleId })).toBe(
      'created',
    );
    const handle = client.schedule.getHandle(scheduleId);
    try {
      expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(24 * 3_600_000);
      expect(await ensureRfmSchedule(client, { taskQueue, intervalHours: 6, scheduleId })).toBe(
        'updated',
      );
      const described = await handle.describe();
      expect(described.spec.intervals?.[0]?.every).toBe(6 * 3_600_000);
      expect(described.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'rfmRecomputeWorkflow',
        taskQueue,
      });
    } finally {
      await handle.delete();
    }
  });
});
