import { startApi, type RunningApi } from './harness';

// Viewed a product → wait up to 2 days for an order → bought: exit; did not: a reminder, then a branch on
// whether the profile shows a big spender (read from the events the contact performs).
const reminder = {
  name: 'Browse reminder',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Product Viewed' } },
    {
      id: 'wait-order',
      kind: 'waitFor',
      for: { type: 'event', event: 'Order Completed' },
      timeout: { amount: 2, unit: 'days' },
    },
    {
      id: 'remind',
      kind: 'action',
      action: { type: 'email', version: 1 },
      config: { subject: 'Still thinking it over?', html: '<p>It is still here.</p>' },
    },
    { id: 'bought', kind: 'exit' },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait-order' },
    { id: 'e2', source: 'wait-order', sourceHandle: 'matched', target: 'bought' },
    { id: 'e3', source: 'wait-order', sourceHandle: 'timeout', target: 'remind' },
    { id: 'e4', source: 'remind', sourceHandle: 'sent', target: 'done' },
  ],
};

describe('POST /api/v1/journeys/:id/simulate', () => {
  let api: RunningApi;
  let adminKey: string;
  let writeKey: string;
  let journeyId: string;

  beforeAll(async () => {
    api = await startApi();
    const ws = await api.workspace();
    adminKey = ws.adminKey;
    writeKey = ws.writeKey;
  }, 180_000);
  afterAll(async () => api?.close());

  const call = async (path: string, init?: { method?: string; body?: unknown }) => {
    const res = await api.admin(adminKey, `/api/v1${path}`, init);
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };

  it('walks the draft for a made-up contact who never orders: the reminder goes out on day 2', async () => {
    const created = await call('/journeys', {
      body: { name: 'Browse reminder', definition: reminder },
    });
    expect(created.status).toBe(201);
    journeyId = created.body.id;
    const start = '2026-12-01T10:00:00.000Z';
    const run = await call(`/journeys/${journeyId}/simulate`, {
      body: { contact: { traits: { email: 'ada@example.com' } }, startAt: start, days: 7 },
    });
    expect(run.status).toBe(200);
    expect(run.body.version).toBe('draft');
    expect(run.body.path).toEqual(['trigger', 'wait-order', 'remind', 'done']);
    expect(run.body.messages).toHaveLength(1);
    expect(run.body.messages[0]).toMatchObject({
      nodeId: 'remind',
      action: { type: 'email', version: 1 },
      at: '2026-12-03T10:00:00.000Z',
    });
  });

  it('takes the "bought" exit when the script has an order before the timeout, and sends nothing', async () => {
    const run = await call(`/journeys/${journeyId}/simulate`, {
      body: {
        contact: {},
        startAt: '2026-12-01T10:00:00.000Z',
        events: [{ afterDays: 1.5, event: 'Order Completed', properties: { revenue: 40 } }],
      },
    });
    expect(run.status).toBe(200);
    expect(run.body.path).toEqual(['trigger', 'wait-order', 'bought']);
    expect(run.body.messages).toEqual([]);
  });

  it('starts from a stored contact, and says which field is wrong when the contact does not exist', async () => {
    const sent = await api.ingest(writeKey, '/v1/track', {
      userId: 'grace',
      event: 'Product Viewed',
      properties: {},
    });
    expect(sent.status).toBe(200);
    const stored = await call(`/journeys/${journeyId}/simulate`, {
      body: { contactId: 'grace', days: 3 },
    });
    expect(stored.status).toBe(200);
    expect(stored.body.contactId).toBe('grace');
    expect(stored.body.path).toEqual(['trigger', 'wait-order', 'remind', 'done']);

    const missing = await call(`/journeys/${journeyId}/simulate`, {
      body: { contactId: 'nobody' },
    });
    expect(missing.status).toBe(400);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    expect(missing.body.errors).toEqual([expect.objectContaining({ path: 'contactId' })]);

    const both = await call(`/journeys/${journeyId}/simulate`, {
      body: { contactId: 'grace', contact: {}, days: 'many' },
    });
    expect(both.status).toBe(400);
    expect(both.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(
      expect.arrayContaining(['days']),
    );

    const version = await call(`/journeys/${journeyId}/simulate`, { body: { version: 3 } });
    expect(version.status).toBe(400);
    expect(version.body.errors).toEqual([expect.objectContaining({ path: 'version' })]);
  });

  it('keeps quiet hours in the workspace time zone for a contact without one', async () => {
    const tokyo = await api.workspace('Tokyo shop');
    const as = (path: string, body?: unknown, method?: string) =>
      api
        .admin(tokyo.adminKey, `/api/v1${path}`, { body, ...(method ? { method } : {}) })
        .then(async (r) => ({ status: r.status, body: JSON.parse(await r.text()) }));
    const zone = await as('/workspace/settings', { timezone: 'Asia/Tokyo' }, 'PATCH');
    expect(zone.status).toBe(200);
    const created = await as('/journeys', {
      name: 'Evening offer',
      definition: {
        ...reminder,
        name: 'Evening offer',
        // No defaultTimezone: the workspace's zone applies.
        settings: { ...reminder.settings, quietHours: { start: '21:00', end: '08:00' } },
      },
    });
    expect(created.status).toBe(201);
    // The reminder is due 2 days after 13:30 UTC: 22:30 in Tokyo, so it waits for 08:00 there (23:00 UTC).
    const run = await as(`/journeys/${created.body.id}/simulate`, {
      contact: {},
      startAt: '2026-12-01T13:30:00.000Z',
      days: 4,
    });
    expect(run.status).toBe(200);
    expect(run.body.messages).toEqual([
      expect.objectContaining({ nodeId: 'remind', at: '2026-12-03T23:00:00.000Z' }),
    ]);
    // A contact with a zone of their own keeps theirs: 14:30 in Paris is not quiet.
    const paris = await as(`/journeys/${created.body.id}/simulate`, {
      contact: { timezone: 'Europe/Paris' },
      startAt: '2026-12-01T13:30:00.000Z',
      days: 4,
    });
    expect(paris.body.messages).toEqual([
      expect.objectContaining({ nodeId: 'remind', at: '2026-12-03T13:30:00.000Z' }),
    ]);
  });
});
