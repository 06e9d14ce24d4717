import { startJourneyDispatcher } from '@cairn/worker';
import type { RunningApi } from './harness';
import { eventually, journeyWorkspace, useJourneyApiWithSmtp } from './journey-worker';
import type { startSmtpCapture } from './smtp-capture';

type ContactDetail = {
  segments: { id: string }[];
  journeys: { journeyId: string; status: string; steps: { nodeId: string; output?: string }[] }[];
};

describe('running journeys follow the contact as its profile changes', () => {
  let api: RunningApi;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  useJourneyApiWithSmtp(
    { secretKey: 'reroute-test-secret-reroute-test-secret', segments: true },
    (s) => ({ api, smtp } = s),
  );

  /** A workspace with the worker's dispatcher running on it, as in production (started once its journeys exist). */
  async function workspace(name: string) {
    const ws = await journeyWorkspace<ContactDetail>(api, name);
    const emailsTo = (address: string) =>
      smtp.received.filter((m) => m.to === address).map((m) => m.subject);
    return { ...ws, emailsTo };
  }

  let dispatcher: ReturnType<typeof startJourneyDispatcher> | undefined;
  const dispatch = () => {
    dispatcher = startJourneyDispatcher({
      db: api.db,
      client: api.ctx.temporal.client,
      taskQueue: api.ctx.temporal.taskQueue,
      intervalMs: 200,
    });
  };
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
  });

  it('the purchase-frequency template re-routes a first-time buyer to the heavy-buyer email once live orders cross the threshold', async () => {
    const ws = await workspace('Tiers');
    const customers = await ws.call<{ id: string }>('/segments', {
      name: 'Customers',
      definition: {
        type: 'all',
        conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 1 }],
      },
    });
    expect(customers.status).toBe(201);
    const created = await ws.call<{ id: string }>('/journeys/from-template', {
      templateId: 'ecommerce-purchase-frequency',
      parameters: { customersSegmentId: customers.body.id, heavyBuyerOrders: 3 },
    });
    expect(created.status).toBe(201);
    expect((await ws.call(`/journeys/${created.body.id}/publish`, {})).status).toBe(200);
    dispatch();

    const order = (n: number) =>
      ws.send('track', {
        userId: 'bea',
        event: 'Order Completed',
        messageId: `bea-order-${n}`,
        properties: { order_id: `bea-${n}`, revenue: 30 },
      });
    await ws.send('identify', {
      userId: 'bea',
      messageId: 'bea-identify',
      traits: { email: 'bea@example.com', firstName: 'Bea' },
    });
    await order(1);
    // A first-time buyer: the onboarding series starts.
    await eventually('the first onboarding email', async () =>
      ws.emailsTo('bea@example.com').some((s) => s.startsWith('Welcome, Bea')),
    );

    // Orders placed while the run waits between onboarding emails.
    await order(2);
    await order(3);
    const subjects = await eventually(
      'the heavy-buyer email',
      async () => {
        const got = ws.emailsTo('bea@example.com');
        return got.some((s) => s.startsWith('You’re in early, Bea')) && got;
      },
      60_000,
    );
    expect(subjects).toEqual([
      'Welcome, Bea! Getting the most from your order',
      'You’re in early, Bea: new arrivals before anyone else',
    ]);
    // The run left the wait between onboarding emails on "matched", not on its 3-day timeout.
    const run = await eventually('the run to finish', async () => {
      const found = (await ws.contact('bea')).journeys.find((r) => r.journeyId === created.body.id);
      return found?.status !== 'active' && found;
    });
    expect(run.steps.map((s) => `${s.nodeId}:${s.output}`)).toEqual([
      'trigger:next',
      'by-frequency:first-time',
      'onboarding-1:sent',
      'wait-onboarding-2:matched',
      'early-access:sent',
    ]);
  }, 180_000);

  it('an identify call or an updateContact step that changes a trait moves the contact into a segment, and runs waiting on the segment or on the trait go on', async () => {
    const ws = await workspace('Plans');
    const pro = await ws.call<{ id: string }>('/segments', {
      name: 'Pro plan',
      definition: {
        type: 'all',
        conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value: 'pro' }],
      },
    });
    expect(pro.status).toBe(201);
    const publish = async (definition: { name: string; [field: string]: unknown }) => {
      const created = await ws.call<{ id: string }>('/journeys', {
        name: definition.name,
        definition,
      });
      expect(created.status).toBe(201);
      const published = await ws.call(`/journeys/${created.body.id}/publish`, {});
      expect(published).toMatchObject({ status: 200 });
      return created.body.id;
    };
    const settings = { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 };
    /** Trial started → wait (up to a day) until `condition` holds → an email with `subject`. */
    const waitThenEmail = (name: string, condition: unknown, subject: string) => ({
      name,
      settings,
      nodes: [
        { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Trial Started' } },
        {
          id: 'wait',
          kind: 'waitFor',
          for: { type: 'condition', condition: { type: 'all', conditions: [condition] } },
          timeout: { amount: 1, unit: 'days' },
        },
        {
          id: 'mail',
          kind: 'action',
          action: { type: 'email', version: 1 },
          config: { subject, html: '<p>Enjoy</p>' },
        },
        { id: 'exit', kind: 'exit' },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
        { id: 'e2', source: 'wait', sourceHandle: 'matched', target: 'mail' },
        { id: 'e3', source: 'wait', sourceHandle: 'timeout', target: 'exit' },
        { id: 'e4', source: 'mail', sourceHandle: 'sent', target: 'exit' },
        { id: 'e5', source: 'mail', sourceHandle: 'skipped', target: 'exit' },
      ],
    });
    // One run waits on the segment, another on the trait itself.
    const welcome = await publish(
      waitThenEmail(
        'Welcome to Pro',
        { type: 'segment', membership: 'member', segmentId: pro.body.id },
        'Welcome to Pro',
      ),
    );
    // No segment reads seats: only the profile change itself can wake this one.
    const tips = await publish(
      waitThenEmail(
        'Team tips',
        { type: 'trait', field: 'seats', operator: 'gte', value: 5 },
        'Tips for teams',
      ),
    );
    // A redeemed coupon upgrades the contact through the updateContact step.
    await publish({
      name: 'Coupon upgrade',
      settings,
      nodes: [
        { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Coupon Redeemed' } },
        {
          id: 'upgrade',
          kind: 'action',
          action: { type: 'updateContact', version: 1 },
          config: { setTraits: { plan: 'pro', seats: 5 } },
        },
        { id: 'exit', kind: 'exit' },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'upgrade' },
        { id: 'e2', source: 'upgrade', sourceHandle: 'next', target: 'exit' },
      ],
    });
    dispatch();

    for (const id of ['ida', 'uma']) {
      await ws.send('identify', {
        userId: id,
        messageId: `${id}-identify-1`,
        traits: { email: `${id}@example.com`, plan: 'free' },
      });
      await ws.send('track', { userId: id, event: 'Trial Started', messageId: `${id}-trial` });
      await eventually(`${id} waiting for the Pro plan`, async () => {
        const runs = (await ws.contact(id)).journeys;
        return [welcome, tips].every((journeyId) =>
          runs.some((r) => r.journeyId === journeyId && r.status === 'active'),
        );
      });
    }
    const inPro = async (id: string) =>
      (await ws.contact(id)).segments.some((s) => s.id === pro.body.id);
    expect(await inPro('ida')).toBe(false);
    expect(await inPro('uma')).toBe(false);

    // ida upgrades and then adds seats through identify calls, uma both at once through the coupon
    // journey's updateContact step.
    await ws.send('identify', {
      userId: 'ida',
      messageId: 'ida-identify-2',
      traits: { plan: 'pro' },
    });
    await eventually("ida's Pro welcome", async () =>
      ws.emailsTo('ida@example.com').includes('Welcome to Pro'),
    );
    await ws.send('identify', {
      userId: 'ida',
      messageId: 'ida-identify-3',
      traits: { seats: 10 },
    });
    await ws.send('track', { userId: 'uma', event: 'Coupon Redeemed', messageId: 'uma-coupon' });

    for (const id of ['ida', 'uma']) {
      await eventually(`${id} in the Pro plan segment`, () => inPro(id));
      await eventually(
        `${id}'s two emails`,
        async () => ws.emailsTo(`${id}@example.com`).length >= 2,
      );
      expect(ws.emailsTo(`${id}@example.com`).sort()).toEqual(['Tips for teams', 'Welcome to Pro']);
    }
  }, 180_000);
});
