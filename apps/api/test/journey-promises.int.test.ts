import { findContactJourneys, nextJourneyTriggers } from '@cairn/db';
import { JourneyDispatcher } from '@cairn/worker';
import { startApi, type RunningApi } from './harness';
import { eventually, startJourneyWorker } from './journey-worker';

const DAY = 86_400_000;

/** Order Completed → tag the contact → exit. */
function orderJourney(name: string, trigger: Record<string, unknown> = {}) {
  return {
    name,
    settings: { reentry: { policy: 'afterExit' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      {
        id: 'trigger',
        kind: 'trigger',
        trigger: { type: 'event', event: 'Order Completed', ...trigger },
      },
      {
        id: 'tag',
        kind: 'action',
        action: { type: 'updateContact', version: 1 },
        config: { addTags: ['ordered'] },
      },
      { id: 'exit', kind: 'exit' },
    ],
    edges: [
      { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'tag' },
      { id: 'e2', source: 'tag', sourceHandle: 'next', target: 'exit' },
    ],
  };
}

/** A trigger event, then one in-app message per title, then exit. */
function messagesJourney(
  name: string,
  event: string,
  titles: string[],
  settings: Record<string, unknown> = {},
) {
  const steps = titles.map((title, i) => ({
    id: `m${i + 1}`,
    kind: 'action',
    action: { type: 'inAppMessage', version: 1 },
    config: { title, body: `${title} body` },
  }));
  const ids = ['trigger', ...steps.map((n) => n.id), 'exit'];
  return {
    name,
    settings: {
      reentry: { policy: 'never' },
      exitOnSegmentExit: false,
      holdoutPercent: 0,
      ...settings,
    },
    nodes: [
      { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event } },
      ...steps,
      { id: 'exit', kind: 'exit' },
    ],
    edges: ids.slice(1).map((target, i) => ({
      id: `e${i}`,
      source: ids[i] as string,
      sourceHandle: 'next',
      target,
    })),
  };
}

describe('journeys keep the promises the docs make', () => {
  let api: RunningApi;
  let journeyWorker: Awaited<ReturnType<typeof startJourneyWorker>>;
  let adminKey: string;
  let writeKey: string;
  let workspaceId: string;
  let dispatcher: JourneyDispatcher;

  beforeAll(async () => {
    api = await startApi();
    const ws = await api.workspace();
    adminKey = ws.adminKey;
    writeKey = ws.writeKey;
    workspaceId = ws.workspace._id;
    journeyWorker = await startJourneyWorker(api);
  }, 180_000);

  // A dispatcher of its own per test: a dispatcher caches the published journeys for a couple of seconds.
  beforeEach(() => {
    dispatcher = new JourneyDispatcher({
      db: api.db,
      client: api.ctx.temporal.client,
      taskQueue: api.ctx.temporal.taskQueue,
    });
  });

  afterAll(async () => {
    await journeyWorker?.stop();
    await api?.close();
  });

  const call = async (path: string, init?: { method?: string; body?: unknown }) => {
    const res = await api.admin(adminKey, `/api/v1${path}`, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  const publish = async (definition: { name: string }) => {
    const created = await call('/journeys', { body: { name: definition.name, definition } });
    expect(created.status).toBe(201);
    expect((await call(`/journeys/${created.body.id}/publish`, { method: 'POST' })).status).toBe(
      200,
    );
    return created.body.id as string;
  };
  const importNdjson = async (events: object[], query = '') => {
    const res = await fetch(`${api.url}/api/v1/imports${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/x-ndjson' },
      body: events.map((e) => JSON.stringify(e)).join('\n'),
    });
    return { status: res.status, text: await res.text() };
  };
  /** Dispatches until the outbox is empty. */
  const drainTriggers = async () => {
    for (let pass = 0; pass < 50; pass++) {
      await dispatcher.dispatchOnce();
      if ((await nextJourneyTriggers(api.db.connection, 1)).length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('journey triggers were not all dispatched');
  };
  const runsOf = async (contactId: string) =>
    Object.keys((await findContactJourneys(api.db.connection, workspaceId, contactId))?.runs ?? {});

  it('history (backdated events, an import) updates profiles but starts no event-triggered journey unless asked', async () => {
    const journeyId = await publish(orderJourney('Order thanks'));
    const lenientId = await publish(
      orderJourney('Order thanks, 60-day horizon', { maxEventAge: { amount: 60, unit: 'days' } }),
    );
    const now = Date.now();
    const order = (userId: string, n: number, at: number) => ({
      type: 'track',
      userId,
      event: 'Order Completed',
      messageId: `${userId}-order-${n}`,
      timestamp: new Date(at).toISOString(),
      properties: { order_id: `${userId}-${n}`, revenue: 20 },
    });

    // Three old orders sent live, with their real timestamps: they are history.
    const backdated = [30, 20, 10].map((days, n) => order('backdated', n, now - days * DAY));
    expect((await api.ingest(writeKey, '/v1/batch', { batch: backdated })).status).toBe(200);
    // A very old one sent live, older than both horizons.
    expect(
      (await api.ingest(writeKey, '/v1/track', order('ancient', 0, now - 400 * DAY))).status,
    ).toBe(200);
    // An order placed now: live traffic.
    expect((await api.ingest(writeKey, '/v1/track', order('live', 0, now))).status).toBe(200);
    // An import is history even when recent, unless it asks.
    expect((await importNdjson([order('imported', 0, now - 3_600_000)])).status).toBe(200);
    expect(
      (await importNdjson([order('replayed', 0, now - 10 * DAY)], '?startJourneys=true')).status,
    ).toBe(200);
    await drainTriggers();

    expect(await runsOf('backdated')).toEqual([lenientId]);
    expect(await runsOf('ancient')).toEqual([]);
    expect((await runsOf('live')).sort()).toEqual([journeyId, lenientId].sort());
    expect(await runsOf('imported')).toEqual([]);
    expect((await runsOf('replayed')).sort()).toEqual([journeyId, lenientId].sort());

    // Profiles still count every order, historical or not.
    for (const [contactId, orders] of [
      ['backdated', 3],
      ['ancient', 1],
      ['imported', 1],
      ['replayed', 1],
    ] as const) {
      const contact = await call(`/contacts/${contactId}`);
      expect({ contactId, orders: contact.body.profile.purchases.orderCount }).toEqual({
        contactId,
        orders,
      });
    }

    const bad = await importNdjson([order('x', 0, now)], '?startJourneys=yes');
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/startJourneys/);
  }, 120_000);
  it('caps messages per contact across all journeys, skipping the ones past the cap and counting them in the node stats', async () => {
    const welcomeId = await publish(messagesJourney('Welcome', 'Cap Signed Up', ['Welcome']));
    const tipsId = await publish(
      messagesJourney('Tips', 'Cap Upgraded', ['Tip one', 'Tip two'], {
        frequencyCap: { messages: 2, per: { amount: 1, unit: 'days' } },
      }),
    );
    const finished = async (contactId: string, journeyId: string) => {
      const run = (await findContactJourneys(api.db.connection, workspaceId, contactId))?.runs[
        journeyId
      ];
      return run && run.status !== 'active' ? run : undefined;
    };
    const inbox = async (userId: string) => {
      const res = await api.fetch(`/v1/in-app/messages?userId=${userId}`, {
        headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { messages: { title: string }[] };
      return body.messages.map((m) => m.title).sort();
    };
    const track = (userId: string, event: string) =>
      api.ingest(writeKey, '/v1/track', { userId, event, messageId: `${userId}-${event}` });

    // "busy" already got the welcome from another journey; "quiet" did not.
    expect((await track('busy', 'Cap Signed Up')).status).toBe(200);
    await drainTriggers();
    await eventually('the welcome run to end', () => finished('busy', welcomeId));
    for (const userId of ['busy', 'quiet'])
      expect((await track(userId, 'Cap Upgraded')).status).toBe(200);
    await drainTriggers();
    for (const userId of ['busy', 'quiet'])
      await eventually(`the tips run of ${userId} to end`, () => finished(userId, tipsId));

    expect(await inbox('busy')).toEqual(['Tip one', 'Welcome']);
    expect(await inbox('quiet')).toEqual(['Tip one', 'Tip two']);

    const stats = (await call(`/journeys/${tipsId}/stats`)).body;
    expect(stats.nodes.m1).toMatchObject({ entered: 2, sent: 2 });
    expect(stats.nodes.m2).toMatchObject({ entered: 2, sent: 1, capped: 1 });

    const deliveries = (await call('/contacts/busy/deliveries')).body as {
      deliveries: { nodeId: string; journeyId: string; status: string; reason?: string }[];
    };
    const tipTwo = deliveries.deliveries.find((d) => d.journeyId === tipsId && d.nodeId === 'm2');
    expect(tipTwo).toMatchObject({
      status: 'skipped',
      reason: expect.stringMatching(/frequency cap/),
    });
  }, 120_000);
  it("records held-out contacts' conversions and shows the lift of the journey over its holdout in the stats", async () => {
    const definition = {
      name: 'Nudge to buy',
      settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 50 },
      nodes: [
        { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Lift Browsed' } },
        {
          id: 'nudge',
          kind: 'action',
          action: { type: 'inAppMessage', version: 1 },
          config: { title: 'Nudge', body: 'Buy now' },
        },
        {
          id: 'wait',
          kind: 'waitFor',
          for: { type: 'event', event: 'Lift Purchased' },
          timeout: { amount: 7, unit: 'days' },
        },
        {
          id: 'bought',
          kind: 'goal',
          condition: { on: 'eventSinceEntry', event: 'Lift Purchased' },
        },
        { id: 'exit', kind: 'exit' },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'nudge' },
        { id: 'e2', source: 'nudge', sourceHandle: 'next', target: 'wait' },
        { id: 'e3', source: 'wait', sourceHandle: 'matched', target: 'bought' },
        { id: 'e4', source: 'wait', sourceHandle: 'timeout', target: 'exit' },
      ],
    };
    const journeyId = await publish(definition);
    const contacts = Array.from({ length: 16 }, (_, i) => `lift-${i}`);
    const buyers = contacts.filter((_, i) => i % 2 === 0);
    const batch = (event: string, ids: string[]) => ({
      batch: ids.map((userId) => ({
        type: 'track',
        userId,
        event,
        messageId: `${userId}-${event}`,
      })),
    });
    expect((await api.ingest(writeKey, '/v1/batch', batch('Lift Browsed', contacts))).status).toBe(
      200,
    );
    await drainTriggers();
    // Every run has settled: the journey's contacts wait for a purchase after the nudge, held-out ones wait too.
    await eventually('every run to wait', async () => {
      for (const id of contacts) {
        const run = (await findContactJourneys(api.db.connection, workspaceId, id))?.runs[
          journeyId
        ];
        // Recorded progress (seq ≥ 1), then either at the wait or held out at the trigger.
        if (
          !run ||
          run.status !== 'active' ||
          (run.seq ?? 0) < 1 ||
          !['wait', 'trigger'].includes(run.nodeId ?? '')
        )
          return false;
      }
      return true;
    });
    expect((await api.ingest(writeKey, '/v1/batch', batch('Lift Purchased', buyers))).status).toBe(
      200,
    );
    await drainTriggers();

    // Who was held out is what the contact saw: no nudge in the inbox.
    const heldOut: string[] = [];
    for (const id of contacts) {
      const res = await api.fetch(`/v1/in-app/messages?userId=${id}`, {
        headers: { authorization: `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}` },
      });
      if (((await res.json()) as { messages: unknown[] }).messages.length === 0) heldOut.push(id);
    }
    const exposed = contacts.filter((id) => !heldOut.includes(id));
    expect(heldOut.length).toBeGreaterThan(0);
    expect(exposed.length).toBeGreaterThan(0);
    const holdoutBuyers = heldOut.filter((id) => buyers.includes(id)).length;
    const journeyBuyers = exposed.filter((id) => buyers.includes(id)).length;

    const stats = await eventually("both groups' conversions in the stats", async () => {
      const body = (await call(`/journeys/${journeyId}/stats`)).body;
      return body.holdout?.journey.converted === journeyBuyers &&
        body.holdout?.holdout.converted === holdoutBuyers
        ? body
        : undefined;
    });
    const journeyRate = journeyBuyers / exposed.length;
    const holdoutRate = holdoutBuyers / heldOut.length;
    expect(stats.holdout).toEqual({
      journey: { contacts: exposed.length, converted: journeyBuyers, rate: journeyRate },
      holdout: { contacts: heldOut.length, converted: holdoutBuyers, rate: holdoutRate },
      lift: holdoutRate > 0 ? (journeyRate - holdoutRate) / holdoutRate : null,
    });
    // Held-out contacts who bought end their watch; the others keep waiting for the window.
    for (const id of heldOut) {
      const run = await eventually(
        `the run of ${id}`,
        async () =>
          (await findContactJourneys(api.db.connection, workspaceId, id))?.runs[journeyId],
      );
      expect({ id, status: run.status }).toEqual({
        id,
        status: buyers.includes(id) ? 'completed' : 'active',
      });
    }
  }, 120_000);
});
