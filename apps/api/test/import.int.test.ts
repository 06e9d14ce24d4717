import { contactKey, contactModel, loadProfile } from '@cairn/db';
import { startApi, type RunningApi } from './harness';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

/** A deterministic history: `contacts` contacts × `perContact` events, with orders carrying products. */
function history(contacts: number, perContact: number) {
  const events: Record<string, unknown>[] = [];
  for (let c = 0; c < contacts; c++) {
    events.push({
      type: 'identify',
      userId: `c${c}`,
      messageId: `id-${c}`,
      timestamp: new Date(T0).toISOString(),
      traits: { email: `c${c}@example.com`, plan: c % 3 ? 'free' : 'pro' },
    });
    for (let i = 1; i < perContact; i++) {
      const at = new Date(T0 + ((c * 7 + i * 13) % 300) * DAY + i * 1000).toISOString();
      const isOrder = i % 10 === 0;
      events.push({
        type: 'track',
        userId: `c${c}`,
        messageId: `ev-${c}-${i}`,
        timestamp: at,
        event: isOrder ? 'Order Completed' : i % 3 ? 'Product Viewed' : 'Page Viewed',
        properties: isOrder
          ? {
              order_id: `o-${c}-${i}`,
              revenue: 10 + ((c + i) % 90),
              products: [
                { product_id: `p${i % 7}`, category: `cat${i % 4}`, price: 10, quantity: 1 },
              ],
            }
          : { product_id: `p${i % 7}`, category: `cat${i % 4}` },
      });
    }
  }
  return events;
}

describe('bulk import', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  it('imports 100k events as NDJSON with progress, and builds the same profiles as live ingestion', async () => {
    const imported = await api.workspace('imported');
    const live = await api.workspace('live');
    // In time order, as an export from another tool comes: every chunk touches many contacts.
    const events = history(1000, 100).sort((a, b) =>
      String(a.timestamp).localeCompare(String(b.timestamp)),
    );
    expect(events).toHaveLength(100_000);
    const body =
      events.map((e) => JSON.stringify(e)).join('\n') +
      '\n{"type":"track","event":"No identity"}\nnot json\n';

    const res = await fetch(`${api.url}/api/v1/imports`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${imported.adminKey}`,
        'content-type': 'application/x-ndjson',
      },
      body,
    });
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const progress = lines.filter((l) => l.type === 'progress');
    const done = lines[lines.length - 1] as {
      type: string;
      accepted: number;
      rejected: number;
      folded: number;
      errors: { row: number; errors: { path: string }[] }[];
    };
    expect(progress.length).toBeGreaterThanOrEqual(200);
    expect((progress[1] as { processed: number }).processed).toBeGreaterThan(
      (progress[0] as { processed: number }).processed,
    );
    expect(done.type).toBe('done');
    expect(done.accepted).toBe(100_000);
    expect(done.folded).toBe(100_000);
    expect(done.rejected).toBe(2);
    expect(done.errors.map((e) => e.row)).toEqual([100_001, 100_002]);

    // The same events for a sample of contacts, sent live through /v1/batch to another workspace.
    const sample = [0, 1, 17, 101, 500, 999];
    for (const c of sample) {
      const mine = events.filter((e) => e.userId === `c${c}`);
      expect((await api.ingest(live.writeKey, '/v1/batch', { batch: mine })).status).toBe(200);
      const [a, b] = await Promise.all(
        [imported, live].map(async (w) => {
          const doc = await contactModel(api.db.connection)
            .findById(contactKey(w.workspace._id, `c${c}`))
            .lean();
          return doc ? loadProfile(api.db.connection, doc) : undefined;
        }),
      );
      expect(a?.eventCount).toBe(100);
      expect(a?.purchases.orderCount).toBe(9);
      expect(a).toEqual(b);
    }
  }, 1_800_000);

  it('imports CSV rows and reports bad rows by number', async () => {
    const w = await api.workspace('csv');
    const csv = [
      'userId,type,event,timestamp,messageId,traits.email,properties.revenue',
      'csv-1,identify,,2026-03-01T10:00:00Z,csv-m1,one@example.com,',
      'csv-1,track,Order Completed,2026-03-02T10:00:00Z,csv-m2,,42.5',
      ',track,Order Completed,2026-03-02T10:00:00Z,csv-m3,,1',
    ].join('\n');
    const res = await fetch(`${api.url}/api/v1/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.adminKey}`, 'content-type': 'text/csv' },
      body: csv,
    });
    const done = JSON.parse((await res.text()).trim().split('\n').pop() as string) as {
      accepted: number;
      rejected: number;
      errors: { row: number }[];
    };
    expect(done.accepted).toBe(2);
    expect(done.errors.map((e) => e.row)).toEqual([4]);
    const contact = (await (await api.admin(w.adminKey, '/api/v1/contacts/csv-1')).json()) as {
      traits: { email: string };
      profile: { purchases: { totalRevenue: number } };
    };
    expect(contact.traits.email).toBe('one@example.com');
    expect(contact.profile.purchases.totalRevenue).toBe(42.5);
  });
});
