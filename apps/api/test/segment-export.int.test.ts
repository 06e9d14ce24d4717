import { parse } from 'csv-parse/sync';
import { startApi, type RunningApi } from './harness';

// Contacts who bought at least once: every identified contact below orders, one does not.
const buyers = {
  type: 'all',
  conditions: [{ type: 'event', check: 'performed', event: 'Order Completed' }],
};

describe('GET /api/v1/segments/:id/members.csv', () => {
  let api: RunningApi;
  let adminKey: string;
  let writeKey: string;

  beforeAll(async () => {
    api = await startApi();
    const ws = await api.workspace();
    adminKey = ws.adminKey;
    writeKey = ws.writeKey;
  }, 180_000);
  afterAll(async () => api?.close());

  it('exports every member with the chosen trait columns, quoting what needs quoting', async () => {
    const created = await api.admin(adminKey, '/api/v1/segments', {
      body: { id: 'buyers', name: 'Buyers', definition: buyers },
    });
    expect(created.status).toBe(201);
    const people = [
      { userId: 'ada', traits: { email: 'ada@example.com', name: 'Lovelace, Ada', plan: 'pro' } },
      {
        userId: 'bob',
        traits: { email: 'bob@example.com', name: 'Bob "the builder"', plan: 'free' },
      },
      { userId: 'cy', traits: { email: 'cy@example.com', name: 'Cy', plan: 'pro' } },
    ];
    const batch = [
      ...people.map((p) => ({ type: 'identify', userId: p.userId, traits: p.traits })),
      ...people.map((p) => ({ type: 'track', userId: p.userId, event: 'Order Completed' })),
      { type: 'identify', userId: 'dee', traits: { email: 'dee@example.com' } },
    ];
    expect((await api.ingest(writeKey, '/v1/batch', { batch })).status).toBe(200);

    const res = await api.admin(
      adminKey,
      '/api/v1/segments/buyers/members.csv?traits=email,name,plan',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('buyers-members.csv');
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.id).sort()).toEqual(['ada', 'bob', 'cy']);
    const ada = rows.find((r) => r.id === 'ada');
    expect(ada).toMatchObject({ email: 'ada@example.com', name: 'Lovelace, Ada', plan: 'pro' });
    expect(rows.find((r) => r.id === 'bob')?.name).toBe('Bob "the builder"');
    expect(Number.isNaN(Date.parse(ada?.since ?? ''))).toBe(false);
  });

  it('names the field when the trait list is malformed, and 404s an unknown segment', async () => {
    const bad = await api.admin(adminKey, '/api/v1/segments/buyers/members.csv?traits=email,,plan');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as { errors: { path: string }[] }).errors).toEqual([
      expect.objectContaining({ path: 'traits' }),
    ]);
    expect((await api.admin(adminKey, '/api/v1/segments/nope/members.csv')).status).toBe(404);
  });
});
