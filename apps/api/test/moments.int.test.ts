import { connectDatabase, startDueScheduler, type Database, type DueScheduler } from '@cairn/db';
import { localTime, zonedTimeToInstant } from '@cairn/core';
import { runDateTriggerPass, startDateTriggerScheduler } from '@cairn/worker';
import { startApi, type RunningApi } from './harness';
import { eventually, startJourneyWorker } from './journey-worker';

type Contact = {
  segments: { id: string; since: number }[];
  journeys: { journeyId: string; key?: string; status: string }[];
  tags: string[];
};

/** 'YYYY-MM-DD' of the day `offsetDays` after today in `timeZone`. */
function localDate(timeZone: string, offsetDays = 0): string {
  const t = localTime(Date.now(), timeZone);
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day + offsetDays));
  return d.toISOString().slice(0, 10);
}

describe('the exact moment: time windows and dates over HTTP', () => {
  let api: RunningApi;
  let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;
  let adminKey: string;
  let writeKey: string;
  let workspaceId: string;

  beforeAll(async () => {
    api = await startApi();
    const ws = await api.workspace();
    adminKey = ws.adminKey;
    writeKey = ws.writeKey;
    workspaceId = ws.workspace._id;
    journeyWorker = await startJourneyWorker(api, { segments: true });
  }, 180_000);

  afterAll(async () => {
    await journeyWorker?.stop();
    await api?.close();
  });

  const call = async (path: string, init?: { method?: string; body?: unknown }) => {
    const res = await api.admin(adminKey, `/api/v1${path}`, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const contact = async (id: string) => (await call(`/contacts/${id}`)).body as Contact;
  const backfilled = (segmentId: string) =>
    eventually(`backfill of ${segmentId}`, async () => {
      const s = (await call(`/segments/${segmentId}`)).body;
      return s?.backfill?.state === 'done';
    });

  it('a "no order in the last minute" segment flips within a second of its moment, once, with two schedulers running', async () => {
    const created = await call('/segments', {
      body: {
        id: 'no-order-1m',
        name: 'No order in the last minute',
        definition: {
          type: 'all',
          conditions: [
            {
              type: 'event',
              check: 'lastPerformed',
              event: 'Order Completed',
              operator: 'moreThanAgo',
              value: { amount: 1, unit: 'minutes' },
            },
          ],
        },
      },
    });
    expect(created.status).toBe(201);
    await backfilled('no-order-1m');

    // Two processes' schedulers: each its own database connection, as two workers would have.
    const second: Database = await connectDatabase(process.env.MONGO_URL!, api.db.connection.name);
    const schedulers: DueScheduler[] = [
      startDueScheduler(api.db.connection, { maxSleepMs: 5_000 }),
      startDueScheduler(second.connection, { maxSleepMs: 5_000 }),
    ];
    try {
      // Ordered 50 s ago: the window runs out 10 s from now (at the order + 60 s).
      const orderedAt = Date.now() - 50_000;
      const track = await api.ingest(writeKey, '/v1/track', {
        userId: 'quiet',
        event: 'Order Completed',
        messageId: 'quiet-1',
        timestamp: new Date(orderedAt).toISOString(),
        properties: { revenue: 10 },
      });
      expect(track.status).toBe(200);
      expect((await contact('quiet')).segments).toEqual([]);

      const moment = orderedAt + 60_001;
      const seenAt = await eventually(
        'the flip',
        async () =>
          (await contact('quiet')).segments.some((s) => s.id === 'no-order-1m') && Date.now(),
        30_000,
        100,
      );
      // Visible over HTTP within a second of its moment (the poll itself adds up to 100 ms).
      expect(seenAt - moment).toBeLessThan(1_100);
      const entered = (await contact('quiet')).segments.find((s) => s.id === 'no-order-1m');
      // Recorded at the moment the window ran out, not at whenever a sweep happened to run.
      expect(entered?.since).toBe(moment);
      const entries = (await call('/contacts/quiet/segments/history')).body as {
        segmentId: string;
        kind: string;
      }[];
      expect(
        entries.filter((h) => h.segmentId === 'no-order-1m' && h.kind === 'entered'),
      ).toHaveLength(1);
      expect((await call('/segments/no-order-1m')).body.memberCount).toBe(1);
    } finally {
      await Promise.all(schedulers.map((s) => s.stop()));
      await second.close();
    }
  }, 120_000);

  it("turns whole-day windows at midnight in the workspace's time zone, set over the API", async () => {
    const bad = await call('/workspace/settings', {
      method: 'PATCH',
      body: { timezone: 'Mars/Olympus' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      { path: 'timezone', message: expect.stringContaining('IANA time zone') },
    ]);
    const set = await call('/workspace/settings', {
      method: 'PATCH',
      body: { timezone: 'Pacific/Auckland' },
    });
    expect(set.status).toBe(200);
    expect((await call('/me')).body.workspace.settings.timezone).toBe('Pacific/Auckland');

    expect(
      (
        await call('/segments', {
          body: {
            id: 'ordered-today',
            name: 'Ordered today',
            definition: {
              type: 'all',
              conditions: [
                {
                  type: 'event',
                  check: 'performed',
                  event: 'Order Completed',
                  window: { amount: 1, unit: 'days' },
                },
              ],
            },
          },
        })
      ).status,
    ).toBe(201);
    await backfilled('ordered-today');
    const track = await api.ingest(writeKey, '/v1/track', {
      userId: 'kiwi',
      event: 'Order Completed',
      messageId: 'kiwi-1',
      properties: { revenue: 10 },
    });
    expect(track.status).toBe(200);
    const why = (await call('/segments/ordered-today/why/kiwi')).body;
    expect(why.member).toBe(true);
    const t = localTime(Date.now(), 'Pacific/Auckland');
    const tomorrow = new Date(Date.UTC(t.year, t.month - 1, t.day + 1));
    const aucklandMidnight = zonedTimeToInstant(
      tomorrow.getUTCFullYear(),
      tomorrow.getUTCMonth() + 1,
      tomorrow.getUTCDate(),
      0,
      0,
      'Pacific/Auckland',
    );
    expect(why.explanation.nextChangeAt).toBe(aucklandMidnight);
  }, 120_000);

  it("starts a birthday journey for a contact whose birthday is today in their zone, once, and not for tomorrow's", async () => {
    const journey = {
      name: 'Happy birthday',
      settings: { reentry: { policy: 'afterExit' }, exitOnSegmentExit: false, holdoutPercent: 0 },
      nodes: [
        {
          id: 'trigger',
          kind: 'trigger',
          trigger: { type: 'dateAnniversary', trait: 'birthday', time: '00:00' },
        },
        {
          id: 'tag',
          kind: 'action',
          action: { type: 'updateContact', version: 1 },
          config: { addTags: ['birthday-greeted'] },
        },
        { id: 'exit', kind: 'exit' },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'tag' },
        { id: 'e2', source: 'tag', sourceHandle: 'next', target: 'exit' },
      ],
    };
    const created = await call('/journeys', { body: { name: journey.name, definition: journey } });
    expect(created.status).toBe(201);
    const journeyId = created.body.id as string;
    expect((await call(`/journeys/${journeyId}/publish`, { method: 'POST' })).status).toBe(200);

    // Kiritimati is UTC+14: its "today" is a day ahead of most of the world for much of the day.
    const zone = 'Pacific/Kiritimati';
    const identify = (userId: string, traits: Record<string, unknown>) =>
      api.ingest(writeKey, '/v1/identify', { userId, traits, messageId: `${userId}-id` });
    expect((await identify('today', { birthday: localDate(zone), timezone: zone })).status).toBe(
      200,
    );
    expect(
      (await identify('tomorrow', { birthday: localDate(zone, 1), timezone: zone })).status,
    ).toBe(200);
    // No zone of their own: the workspace's.
    const workspaceZone = 'Pacific/Auckland';
    expect(
      (await call('/workspace/settings', { method: 'PATCH', body: { timezone: workspaceZone } }))
        .status,
    ).toBe(200);
    expect((await identify('zoneless', { birthday: localDate(workspaceZone) })).status).toBe(200);

    const deps = {
      db: api.db,
      client: api.ctx.temporal.client,
      taskQueue: api.ctx.temporal.taskQueue,
    };
    const first = startDateTriggerScheduler(deps);
    try {
      for (const id of ['today', 'zoneless'])
        await eventually(
          `the birthday run to tag ${id}`,
          async () => (await contact(id)).tags?.includes('birthday-greeted'),
          60_000,
        );
    } finally {
      await first.stop();
    }
    const today = await contact('today');
    expect(today.journeys).toEqual([expect.objectContaining({ journeyId, key: localDate(zone) })]);
    expect((await contact('tomorrow')).journeys).toEqual([]);

    // A restarted scheduler (a new process, another worker) finds the occurrence already started.
    const again = await runDateTriggerPass(deps, { workspaceIds: [workspaceId] });
    expect(again).toMatchObject({ enrolled: 0, alreadyStarted: 2 });
    const restarted = startDateTriggerScheduler(deps);
    await new Promise((r) => setTimeout(r, 1_500));
    await restarted.stop();
    expect((await contact('today')).journeys).toHaveLength(1);
    expect((await contact('tomorrow')).journeys).toEqual([]);
    const stats = (await call(`/journeys/${journeyId}/stats`)).body;
    expect(stats.nodes.trigger.entered).toBe(2);
  }, 180_000);
});
