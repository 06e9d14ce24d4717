// Per-channel send rate limits, seen as a user sees them: set over HTTP, real journeys sending real email to an
// SMTP server in the test process, counted on the step's stats.
import { JourneyDispatcher } from '@cairn/worker';
import type { RunningApi } from './harness';
import { edge, eventually, journeyWorkspace, useJourneyApiWithSmtp } from './journey-worker';
import type { startSmtpCapture } from './smtp-capture';

const welcome = {
  name: 'Welcome',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Signed Up' } },
    {
      id: 'mail',
      kind: 'action',
      action: { type: 'email', version: 1 },
      config: { subject: 'Welcome aboard', html: '<p>Hello</p>' },
    },
    { id: 'exit', kind: 'exit' },
  ],
  edges: [
    edge('trigger', 'next', 'mail'),
    edge('mail', 'sent', 'exit'),
    edge('mail', 'skipped', 'exit'),
  ],
};

describe('per-channel send limits', () => {
  let api: RunningApi;
  let smtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  useJourneyApiWithSmtp(
    { secretKey: 'send-limits-test-secret-send-limits-test' },
    (s) => ({ api, smtp } = s),
  );

  const workspace = (name: string) => journeyWorkspace(api, name);

  it('refuses a bad limit with problem+json naming the field', async () => {
    const ws = await workspace('Bad limits');
    const put = (limits: unknown) =>
      ws.call<{ errors: { path: string; message: string }[] }>(
        '/settings/send-limits',
        { limits },
        'PUT',
      );
    const cases: [unknown, string, string][] = [
      [
        { email: { messages: 0, per: { amount: 1, unit: 'minutes' } } },
        'limits.email.messages',
        '≥ 1',
      ],
      [
        { email: { messages: 2.5, per: { amount: 1, unit: 'minutes' } } },
        'limits.email.messages',
        'whole number',
      ],
      [
        { email: { messages: 10, per: { amount: 1, unit: 'fortnights' } } },
        'limits.email.per.unit',
        'seconds, minutes, hours, days',
      ],
      [
        { email: { messages: 10, per: { amount: 2, unit: 'days' } } },
        'limits.email.per',
        'at most 1 day',
      ],
      [
        { 'e.mail': { messages: 10, per: { amount: 1, unit: 'minutes' } } },
        'limits.e.mail',
        'channel name',
      ],
    ];
    for (const [limits, path, message] of cases) {
      const answer = await put(limits);
      expect(answer.status).toBe(400);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.body.errors).toEqual([
        expect.objectContaining({ path, message: expect.stringContaining(message) }),
      ]);
    }
    expect((await ws.call('/settings/send-limits')).body).toEqual({
      limits: {},
      settledWithinSeconds: 2,
    });
  });

  it('with 3 per window, 5 sends: 3 go out at once, 2 in the next window, none lost or doubled, 2 throttled on the step', async () => {
    const ws = await workspace('Throttled');
    const windowMs = 15_000;
    const limits = { email: { messages: 3, per: { amount: 15, unit: 'seconds' } } };
    expect((await ws.call('/settings/send-limits', { limits }, 'PUT')).status).toBe(200);
    expect((await ws.call<{ limits: unknown }>('/settings/send-limits')).body.limits).toEqual(
      limits,
    );

    const created = await ws.call<{ id: string }>('/journeys', {
      name: welcome.name,
      definition: welcome,
    });
    expect(created.status).toBe(201);
    expect((await ws.call(`/journeys/${created.body.id}/publish`, {})).status).toBe(200);
    const people = ['p1', 'p2', 'p3', 'p4', 'p5'];
    const address = (id: string) => `${id}@throttle.test`;
    for (const id of people)
      await ws.send('identify', {
        userId: id,
        messageId: `${id}-identify`,
        traits: { email: address(id) },
      });

    // Start at the beginning of a window, so the first three land in it on a slow machine too.
    while (Date.now() % windowMs > 1_000) await new Promise((r) => setTimeout(r, 100));
    const windowEnd = Math.floor(Date.now() / windowMs) * windowMs + windowMs;
    const ours = () => smtp.received.filter((m) => m.to.endsWith('@throttle.test'));
    const arrivals: number[] = [];
    const watch = setInterval(() => {
      while (arrivals.length < ours().length) arrivals.push(Date.now());
    }, 50);
    try {
      for (const id of people)
        await ws.send('track', { userId: id, event: 'Signed Up', messageId: `${id}-signup` });
      const dispatcher = new JourneyDispatcher({
        db: api.db,
        client: api.ctx.temporal.client,
        taskQueue: api.ctx.temporal.taskQueue,
      });
      await eventually('all five enrolled', async () => {
        await dispatcher.dispatchOnce();
        const runs = await Promise.all(
          people.map(
            async (id) =>
              (await ws.call<{ journeys: unknown[] }>(`/contacts/${id}`)).body.journeys.length,
          ),
        );
        return runs.every((n) => n === 1);
      });

      await eventually('the first three emails', async () => ours().length >= 3);
      // Nothing more until the window ends.
      await new Promise((r) => setTimeout(r, Math.max(0, windowEnd - Date.now() - 300)));
      expect(ours()).toHaveLength(3);
      const stats = await ws.call<{ nodes: Record<string, { throttled?: number }> }>(
        `/journeys/${created.body.id}/stats`,
      );
      expect(stats.body.nodes.mail?.throttled).toBe(2);

      await eventually('the two throttled emails', async () => ours().length >= 5, 20_000);
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      clearInterval(watch);
    }
    // Every contact got the one email, once.
    expect(
      ours()
        .map((m) => m.to)
        .sort(),
    ).toEqual(people.map(address));
    expect(arrivals.slice(0, 3).every((at) => at < windowEnd)).toBe(true);
    expect(arrivals.slice(3).every((at) => at >= windowEnd)).toBe(true);
    const after = await ws.call<{ nodes: Record<string, { throttled?: number; sent?: number }> }>(
      `/journeys/${created.body.id}/stats`,
    );
    expect(after.body.nodes.mail).toMatchObject({ throttled: 2, sent: 5 });
  }, 120_000);
});
