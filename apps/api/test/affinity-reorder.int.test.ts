// Issue 17, points 6 and 12, as a marketer meets them over HTTP: a genre affinity from `Video Watched`
// drives a segment and names the genre and shows in a journey email; a reorder wait on a missing date
// does what the marketer chose, and the reorder template waits on the product bought.
import { findContactJourneys, nextJourneyTriggers } from '@cairn/db';
import { JourneyDispatcher } from '@cairn/worker';
import { JOURNEY_POSITION_QUERY, type JourneyPosition } from '@cairn/workflows';
import type { RunningApi } from './harness';
import { edge, eventually, journeyWorkspace, useJourneyApiWithSmtp } from './journey-worker';
import type { startSmtpCapture } from './smtp-capture';

const DAY = 86_400_000;

describe('affinities beyond products, and reorder waits on a missing date', () => {
  let api: RunningApi;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  useJourneyApiWithSmtp(
    { secretKey: 'a-test-secret-key-of-at-least-32-characters', segments: true },
    (s) => ({ api, smtp } = s),
  );

  async function workspace(name: string) {
    const ws = await journeyWorkspace(api, name);
    // Bodies read loosely here: each test names only the fields it checks.
    const call = <T = any>(path: string, body?: unknown, method?: string) =>
      ws.call<T>(path, body, method);
    const send = async (path: string, body: unknown) =>
      expect((await api.ingest(ws.writeKey, path, body)).status).toBe(200);
    const dispatcher = () =>
      new JourneyDispatcher({
        db: api.db,
        client: api.ctx.temporal.client,
        taskQueue: api.ctx.temporal.taskQueue,
      });
    /** Dispatches until the outbox is empty (a fresh dispatcher: each caches published journeys). */
    const drain = async () => {
      const d = dispatcher();
      for (let pass = 0; pass < 50; pass++) {
        await d.dispatchOnce();
        if ((await nextJourneyTriggers(api.db.connection, 1)).length === 0) return;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('journey triggers were not all dispatched');
    };
    const publish = async (definition: { name: string; [key: string]: unknown }) => {
      const created = await call('/journeys', { name: definition.name, definition });
      expect(created.status).toBe(201);
      expect((await call(`/journeys/${created.body.id}/publish`, {})).status).toBe(200);
      return created.body.id as string;
    };
    // Runs are kept per slot (journey, and key for keyed triggers): find this journey's.
    const run = async (contactId: string, journeyId: string) =>
      Object.values(
        (await findContactJourneys(api.db.connection, ws.workspace._id, contactId))?.runs ?? {},
      ).find((r) => r.journeyId === journeyId);
    return { ...ws, call, send, drain, publish, run };
  }

  it('binge-watchers of crime: a genre affinity set over the API drives a segment and an email naming the genre and the shows', async () => {
    const ws = await workspace('Streaming');

    // A bad definition is refused with the field and the fix.
    const bad = await ws.call(
      '/settings/affinities',
      { affinities: [{ name: 'top genre', event: 'Video Watched', property: '' }] },
      'PUT',
    );
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/application\/problem\+json/);
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: expect.stringMatching(/affinities.*0.*name/) }),
        expect.objectContaining({ path: expect.stringMatching(/affinities.*0.*property/) }),
      ]),
    );

    const bingers = {
      name: 'Binge-watchers of crime',
      definition: {
        type: 'all',
        conditions: [
          {
            type: 'event',
            check: 'performed',
            event: 'Video Watched',
            count: { operator: 'atLeast', value: 3 },
          },
          {
            type: 'metric',
            metric: 'topCategory',
            affinity: 'genre',
            operator: 'eq',
            value: 'crime',
          },
        ],
      },
    };
    // A segment on an affinity the workspace does not count yet would match nobody: refused, saying why.
    const early = await ws.call('/segments', bingers);
    expect(early.status).toBe(400);
    expect(early.body.errors).toEqual([
      expect.objectContaining({
        path: 'definition.conditions[1].affinity',
        message: expect.stringContaining('Settings → Affinities'),
      }),
    ]);

    const genre = { name: 'genre', event: 'Video Watched', property: 'genre' };
    const saved = await ws.call('/settings/affinities', { affinities: [genre] }, 'PUT');
    expect(saved.status).toBe(200);
    expect((await ws.call('/settings/affinities')).body.affinities).toEqual([genre]);

    const segment = await ws.call('/segments', bingers);
    expect(segment.status).toBe(201);

    const topGenre = 'contact.profile.affinities.genre.top';
    const journeyId = await ws.publish({
      name: 'More of what they binge',
      settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
      nodes: [
        {
          id: 'trigger',
          kind: 'trigger',
          trigger: { type: 'segmentEntered', segmentId: segment.body.id },
        },
        {
          id: 'recommend',
          kind: 'action',
          action: { type: 'email', version: 1 },
          config: {
            subject: `More {{ ${topGenre} }} for you, like {% for seen in contact.profile.events["Video Watched"].recent %}{% if seen.properties.genre == ${topGenre} %}{{ seen.properties.title }}; {% endif %}{% endfor %}`,
            html: `<p>Because you watch {{ ${topGenre} }}.</p>`,
          },
        },
        { id: 'exit', kind: 'exit' },
      ],
      edges: [
        edge('trigger', 'next', 'recommend'),
        edge('recommend', 'sent', 'exit'),
        edge('recommend', 'skipped', 'exit'),
      ],
    });

    const watch = (userId: string, title: string, genre: string) => ({
      type: 'track',
      userId,
      event: 'Video Watched',
      messageId: `${userId}-${title}`,
      properties: { title, genre },
    });
    for (const userId of ['binger', 'comedy-fan'])
      await ws.send('/v1/identify', {
        userId,
        messageId: `${userId}-identify`,
        traits: { email: `${userId}@example.com` },
      });
    await ws.send('/v1/batch', {
      batch: [
        watch('binger', 'Mindhunter', 'crime'),
        watch('binger', 'Ted Lasso', 'comedy'),
        watch('binger', 'Broadchurch', 'crime'),
        watch('binger', 'Line of Duty', 'crime'),
        watch('comedy-fan', 'Ted Lasso', 'comedy'),
        watch('comedy-fan', 'Fargo', 'crime'),
        watch('comedy-fan', 'Veep', 'comedy'),
      ],
    });
    await ws.drain();

    const binger = (await ws.call('/contacts/binger')).body;
    expect(binger.profile.affinities.genre).toEqual({
      counts: { crime: 3, comedy: 1 },
      total: 4,
      top: 'crime',
    });
    const members = (await ws.call(`/segments/${segment.body.id}/members`)).body.items;
    expect(members.map((m: { id: string }) => m.id)).toEqual(['binger']);

    const mail = await eventually('the binge email', async () =>
      smtp.received.find((m) => m.to === 'binger@example.com'),
    );
    expect(mail.subject).toMatch(/^More crime for you, like /);
    for (const title of ['Mindhunter', 'Broadchurch', 'Line of Duty'])
      expect(mail.subject).toContain(title);
    expect(mail.subject).not.toContain('Ted Lasso');
    expect(await ws.run('comedy-fan', journeyId)).toBeUndefined();
    expect(smtp.received.some((m) => m.to === 'comedy-fan@example.com')).toBe(false);
  }, 180_000);

  it('reorder: a first-time buyer waits the fallback delay, a repeat buyer the date of the product bought, and a wait for the date goes on when it appears', async () => {
    const ws = await workspace('Coffee shop');
    const created = await ws.call('/journeys/from-template', {
      templateId: 'reorder-reminder',
      parameters: { firstOrderReminderDays: 30 },
    });
    expect(created.status).toBe(201);
    expect((await ws.call(`/journeys/${created.body.id}/publish`, {})).status).toBe(200);
    const reorderId = created.body.id as string;

    const now = Date.now();
    const order = (userId: string, n: number, at: number, product: string) => ({
      type: 'track',
      userId,
      event: 'Order Completed',
      messageId: `${userId}-order-${n}`,
      timestamp: new Date(at).toISOString(),
      properties: { order_id: `${userId}-${n}`, revenue: 20, products: [{ product_id: product }] },
    });
    // A repeat buyer: beans every 30 days, tea once in between (history: starts no run), then beans now.
    await ws.send('/v1/batch', {
      batch: [
        order('regular', 1, now - 60 * DAY, 'beans'),
        order('regular', 2, now - 45 * DAY, 'tea'),
        order('regular', 3, now - 30 * DAY, 'beans'),
      ],
    });
    await ws.send('/v1/track', order('regular', 4, now, 'beans'));
    await ws.send('/v1/track', order('newcomer', 1, now, 'beans'));
    await ws.drain();

    const waitingUntil = async (contactId: string) => {
      const run = await eventually(`the reorder run of ${contactId} to wait`, async () => {
        const r = await ws.run(contactId, reorderId);
        return r?.status === 'active' && r.nodeId === 'wait-reorder-date' && r;
      });
      const position = await api.ctx.temporal.client.workflow
        .getHandle(run.workflowId)
        .query<JourneyPosition | undefined>(JOURNEY_POSITION_QUERY);
      const waiting = position?.waiting as { type: string; until?: string } | undefined;
      expect(waiting?.type).toBe('timer');
      return (Date.parse(waiting!.until!) - now) / DAY;
    };
    // No reorder date yet: the fallback, 30 days after the order, not at once.
    expect(await waitingUntil('newcomer')).toBeCloseTo(30, 1);
    // Beans every 30 days → next beans in 30 days, reminded 14 days before; the overall cadence
    // (every 20 days) would have said 6.
    const regular = (await ws.call('/contacts/regular')).body.profile.purchases;
    expect(regular.products.beans.reorderGapDays).toBeCloseTo(30, 3);
    expect(await waitingUntil('regular')).toBeCloseTo(16, 1);
    expect(smtp.received.filter((m) => /newcomer|regular/.test(m.to))).toEqual([]);

    // Waiting for the date to appear: it goes on as soon as a second order gives one.
    const waitForDate = await ws.publish({
      name: 'When we can predict it',
      settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
      nodes: [
        { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Joined Club' } },
        {
          id: 'wait',
          kind: 'waitUntil',
          until: {
            type: 'profileDate',
            field: 'purchases.predictedNextOrderAt',
            offset: { amount: -30, unit: 'days' },
            ifMissing: { then: 'waitForDate', timeout: { amount: 60, unit: 'days' } },
          },
        },
        {
          id: 'mark',
          kind: 'action',
          action: { type: 'updateContact', version: 1 },
          config: { setTraits: { reorderKnown: true } },
        },
        { id: 'exit', kind: 'exit' },
      ],
      edges: [
        edge('trigger', 'next', 'wait'),
        edge('wait', 'next', 'mark'),
        edge('mark', 'next', 'exit'),
      ],
    });
    await ws.send('/v1/track', {
      userId: 'member',
      event: 'Joined Club',
      messageId: 'member-join',
    });
    await ws.drain();
    await eventually('the club run to wait for a date', async () => {
      const r = await ws.run('member', waitForDate);
      return r?.status === 'active' && r.nodeId === 'wait';
    });
    await ws.send('/v1/batch', {
      batch: [
        order('member', 1, now - 20 * DAY, 'beans'),
        order('member', 2, now - 10 * DAY, 'beans'),
      ],
    });
    await ws.drain();
    const done = await eventually(
      'the club run to go on once the date appeared',
      async () => {
        const r = await ws.run('member', waitForDate);
        return r?.status === 'completed' && r;
      },
      60_000,
    );
    expect(done.steps.map((s: { nodeId: string }) => s.nodeId)).toEqual(
      expect.arrayContaining(['wait', 'mark']),
    );
    expect((await ws.call('/contacts/member')).body.traits.reorderKnown).toBe(true);
  }, 180_000);
});
