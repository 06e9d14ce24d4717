import { gzipSync } from 'node:zlib';
import { contactKey, contactModel, eventModel, loadProfile } from '@cairn/db';
import { startApi, type RunningApi } from './harness';

const DAY = 86_400_000;

describe('Segment-compatible ingestion on the real database', () => {
  let api: RunningApi;
  let keys: { writeKey: string; adminKey: string; workspace: { _id: string } };
  beforeAll(async () => {
    api = await startApi();
    keys = await api.workspace();
  });
  afterAll(async () => api.close());

  async function profileOf(contactId: string) {
    const doc = await contactModel(api.db.connection)
      .findById(contactKey(keys.workspace._id, contactId))
      .lean();
    return doc ? loadProfile(api.db.connection, doc) : undefined;
  }

  it('stores the good events of a mixed batch and reports the bad ones by index and field', async () => {
    const res = await api.ingest(keys.writeKey, '/v1/batch', {
      batch: [
        {
          type: 'track',
          userId: 'u-mixed',
          event: 'Product Viewed',
          messageId: 'mixed-1',
          properties: { product_id: 'p1' },
        },
        { type: 'track', event: 'No Identity', messageId: 'mixed-2' },
        {
          type: 'track',
          userId: 'u-mixed',
          event: 'Product Viewed',
          messageId: 'mixed-3',
          timestamp: '1970-01-01T00:00:00Z',
        },
        {
          type: 'identify',
          userId: 'u-mixed',
          messageId: 'mixed-4',
          traits: { email: 'mixed@example.com', 'odd.key': 1, $weird: true },
        },
      ],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      accepted: number;
      rejected: { index: number; errors: { path: string; message: string }[] }[];
    };
    expect(body.accepted).toBe(2);
    expect(body.rejected.map((r) => r.index)).toEqual([1, 2]);
    expect(body.rejected[1]?.errors[0]?.path).toBe('batch[2].timestamp');
    const stored = await eventModel(api.db.connection).countDocuments({
      workspaceId: keys.workspace._id,
      contactId: 'u-mixed',
    });
    expect(stored).toBe(2);
    const profile = await profileOf('u-mixed');
    expect(profile?.traits).toMatchObject({
      email: 'mixed@example.com',
      'odd.key': 1,
      $weird: true,
    });
    expect(profile?.events['Product Viewed']?.count).toBe(1);
  });

  it('answers once the events are appended, folds them just behind, and reports the lag until it is zero', async () => {
    // Many contacts, so the fold takes longer than the append and the answer demonstrably comes first.
    const batch = Array.from({ length: 1500 }, (_, i) => ({
      type: 'track',
      userId: `u-async-${i}`,
      event: 'Async Ping',
      messageId: `async-${i}`,
    }));
    const res = await api.ingest(keys.writeKey, '/v1/batch', { batch }, { wait: false });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { accepted: number }).accepted).toBe(1500);
    // Every event is in the log at the answer...
    expect(
      await eventModel(api.db.connection).countDocuments({
        workspaceId: keys.workspace._id,
        event: 'Async Ping',
      }),
    ).toBe(1500);
    // ...and the profiles are not all folded yet: the workspace sees the lag.
    const lag = (await (await api.admin(keys.adminKey, '/api/v1/ingestion')).json()) as {
      unfoldedEvents: number;
      foldLagMs: number;
    };
    expect(lag.unfoldedEvents).toBeGreaterThan(0);
    const ready = (await (await api.fetch('/readyz')).json()) as {
      ingestion: { unfoldedEvents: number };
    };
    expect(ready.ingestion.unfoldedEvents).toBeGreaterThan(0);
    // The lag drains to zero and every contact holds its event exactly once.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const now = (await (await api.admin(keys.adminKey, '/api/v1/ingestion')).json()) as {
        unfoldedEvents: number;
        foldLagMs: number;
      };
      if (now.unfoldedEvents === 0) {
        expect(now.foldLagMs).toBe(0);
        break;
      }
      if (Date.now() > deadline)
        throw new Error(`still ${now.unfoldedEvents} events unfolded after 120 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const i of [0, 749, 1499])
      expect((await profileOf(`u-async-${i}`))?.events['Async Ping']?.count).toBe(1);
  });

  it("refuses a 'wait' it does not know, naming the parameter", async () => {
    const res = await api.fetch('/v1/track?wait=forever', {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${keys.writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ userId: 'u-wait', event: 'E' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe(
      'query.wait',
    );
  });

  it('changes nothing when a batch is replayed', async () => {
    const batch = {
      batch: [1, 2, 3].map((i) => ({
        type: 'track',
        userId: 'u-replay',
        event: 'Page Viewed',
        messageId: `replay-${i}`,
      })),
    };
    expect((await api.ingest(keys.writeKey, '/v1/batch', batch)).status).toBe(200);
    const before = await profileOf('u-replay');
    const again = await api.ingest(keys.writeKey, '/v1/batch', batch);
    expect(((await again.json()) as { duplicates: number }).duplicates).toBe(3);
    const after = await profileOf('u-replay');
    expect(after?.eventCount).toBe(3);
    expect(after).toEqual(before);
  });

  it('computes purchase figures that match a hand calculation', async () => {
    // Orders on days 0, 30 and 60: revenue 40, 60, 50; coffee in all three, a mug once.
    const t0 = Date.UTC(2026, 5, 1, 12);
    const order = (n: number, day: number, revenue: number, products: object[]) => ({
      type: 'track',
      userId: 'u-orders',
      event: 'Order Completed',
      messageId: `order-${n}`,
      timestamp: new Date(t0 + day * DAY).toISOString(),
      properties: { order_id: `o${n}`, revenue, products },
    });
    const coffee = { product_id: 'coffee', category: 'Coffee', price: 20, quantity: 1 };
    const mug = { product_id: 'mug', category: 'Mugs', price: 20, quantity: 1 };
    // Sent out of order on purpose: figures must not depend on arrival order.
    const res = await api.ingest(keys.writeKey, '/v1/batch', {
      batch: [
        order(3, 60, 50, [coffee]),
        order(1, 0, 40, [coffee, mug]),
        order(2, 30, 60, [coffee]),
      ],
    });
    expect(res.status).toBe(200);
    const purchases = (await profileOf('u-orders'))?.purchases;
    expect(purchases?.orderCount).toBe(3);
    expect(purchases?.totalRevenue).toBe(150);
    expect(purchases?.averageOrderValue).toBe(50);
    expect(purchases?.meanDaysBetweenOrders).toBe(30);
    expect(purchases?.predictedNextOrderAt).toBe(t0 + 90 * DAY);
    const coffeeStats = purchases?.products?.coffee;
    expect(
      coffeeStats?.reorderGapDays ??
        (coffeeStats as unknown as { usualGapDays?: number })?.usualGapDays,
    ).toBe(30);
    expect(coffeeStats?.nextReorderAt).toBe(t0 + 90 * DAY);
  });

  it('merges anonymous history into the contact on identify', async () => {
    await api.ingest(keys.writeKey, '/v1/track', {
      anonymousId: 'anon-42',
      event: 'Product Viewed',
      messageId: 'anon-view-1',
    });
    await api.ingest(keys.writeKey, '/v1/track', {
      anonymousId: 'anon-42',
      event: 'Product Viewed',
      messageId: 'anon-view-2',
    });
    expect((await profileOf('anon:anon-42'))?.events['Product Viewed']?.count).toBe(2);
    const res = await api.ingest(keys.writeKey, '/v1/identify', {
      userId: 'u-merged',
      anonymousId: 'anon-42',
      traits: { name: 'Ada' },
    });
    expect(res.status).toBe(200);
    const merged = await profileOf('u-merged');
    expect(merged?.events['Product Viewed']?.count).toBe(2);
    expect(merged?.traits.name).toBe('Ada');
    expect(await profileOf('anon:anon-42')).toBeUndefined();
    // Later anonymous events land on the identified contact.
    await api.ingest(keys.writeKey, '/v1/track', {
      anonymousId: 'anon-42',
      event: 'Product Viewed',
      messageId: 'anon-view-3',
    });
    expect((await profileOf('u-merged'))?.events['Product Viewed']?.count).toBe(3);
  });

  it('merges anonymous events sent in the same batch as the identify, once however often the batch is retried', async () => {
    const batch = [
      { type: 'track', anonymousId: 'anon-77', event: 'Product Viewed', messageId: 'b77-view-1' },
      { type: 'track', anonymousId: 'anon-77', event: 'Product Viewed', messageId: 'b77-view-2' },
      {
        type: 'identify',
        userId: 'u-77',
        anonymousId: 'anon-77',
        traits: { plan: 'pro' },
        messageId: 'b77-identify',
      },
    ];
    expect((await api.ingest(keys.writeKey, '/v1/batch', { batch })).status).toBe(200);
    expect((await profileOf('u-77'))?.events['Product Viewed']?.count).toBe(2);
    expect(await profileOf('anon:anon-77')).toBeUndefined();
    expect((await api.ingest(keys.writeKey, '/v1/batch', { batch })).status).toBe(200);
    expect((await profileOf('u-77'))?.events['Product Viewed']?.count).toBe(2);
  });

  it('follows a chain of merges in one batch: anonymous into identified, identified into its alias', async () => {
    await api.ingest(keys.writeKey, '/v1/track', {
      anonymousId: 'anon-88',
      event: 'Product Viewed',
      messageId: 'c88-view',
    });
    await api.ingest(keys.writeKey, '/v1/track', {
      userId: 'u-old',
      event: 'Signed Up',
      messageId: 'c88-signup',
    });
    const res = await api.ingest(keys.writeKey, '/v1/batch', {
      batch: [
        { type: 'identify', userId: 'u-old', anonymousId: 'anon-88', messageId: 'c88-identify' },
        { type: 'alias', previousId: 'u-old', userId: 'u-new', messageId: 'c88-alias' },
      ],
    });
    expect(res.status).toBe(200);
    const survivor = await profileOf('u-new');
    expect(survivor?.events['Product Viewed']?.count).toBe(1);
    expect(survivor?.events['Signed Up']?.count).toBe(1);
    expect(await profileOf('u-old')).toBeUndefined();
    expect(await profileOf('anon:anon-88')).toBeUndefined();
  });

  it('accepts gzip bodies and write keys sent as Bearer', async () => {
    const body = gzipSync(
      JSON.stringify({ userId: 'u-gzip', event: 'Signed Up', messageId: 'gzip-1' }),
    );
    const res = await api.fetch('/v1/track?wait=folded', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${keys.writeKey}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body,
    });
    expect(res.status).toBe(200);
    expect((await profileOf('u-gzip'))?.events['Signed Up']?.count).toBe(1);
  });

  it('refuses bad input with problem+json naming the field and the fix', async () => {
    const missingKey = await api.fetch('/v1/track', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(missingKey.status).toBe(401);
    expect(missingKey.headers.get('content-type')).toMatch(/problem\+json/);

    const badKey = await api.ingest('cwk_AAAAAAAAAAAA_notarealsecretnotarealsecret', '/v1/track', {
      userId: 'x',
      event: 'E',
    });
    expect(badKey.status).toBe(401);

    const malformed = await api.fetch('/v1/track', {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${keys.writeKey}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{"userId": "x", "event": ',
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { detail: string }).detail).toMatch(/not valid JSON/);

    const wrongType = await api.ingest(keys.writeKey, '/v1/track', { userId: 'x', event: 42 });
    expect(wrongType.status).toBe(400);
    const problem = (await wrongType.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path)).toContain('event');

    const huge = await api.ingest(keys.writeKey, '/v1/track', {
      userId: 'x',
      event: 'Big',
      properties: { blob: 'x'.repeat(40_000) },
    });
    expect(huge.status).toBe(413);

    const future = await api.ingest(keys.writeKey, '/v1/track', {
      userId: 'x',
      event: 'E',
      timestamp: '2999-01-01T00:00:00Z',
    });
    expect(future.status).toBe(400);
  });

  it('never lets a write key read the management API', async () => {
    const res = await api.admin(keys.writeKey, '/api/v1/me');
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/write key/);
    expect((await api.admin(keys.adminKey, '/api/v1/me')).status).toBe(200);
  });
});
