import { startApi, type RunningApi } from './harness';

/**
 * What a hostile or sloppy client sends must neither poison storage nor come back changed: keys named like
 * Object.prototype members are data, numbers beyond double range are refused naming the field, and keys
 * holding '.', '$', NUL or their full-width look-alikes come back exactly as sent.
 */

jest.setTimeout(120_000);

let api: RunningApi;
let ws: Awaited<ReturnType<RunningApi['workspace']>>;

beforeAll(async () => {
  api = await startApi();
  ws = await api.workspace('Stored as sent');
});
afterAll(async () => api?.close());

interface ContactAnswer {
  traits: Record<string, unknown>;
  profile: {
    purchases: {
      orderCount: number;
      totalRevenue: number;
      products: Record<string, { orderCount: number; quantity: number }>;
    };
    categories: { counts: Record<string, number>; total: number };
    events: Record<string, { count: number }>;
  };
  timeline: { event: string; messageId: string; properties: Record<string, unknown> }[];
}

async function contact(userId: string): Promise<ContactAnswer> {
  const res = await api.admin(ws.adminKey, `/api/v1/contacts/${encodeURIComponent(userId)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as ContactAnswer;
}

/** Raw JSON text, so keys such as "__proto__" reach the API as a client would send them. */
async function post(
  path: string,
  json: string,
): Promise<{
  status: number;
  body: { errors?: { path: string; message: string }[]; detail?: string };
}> {
  // The tests read the profile right after: answer once the request's events are folded.
  const res = await api.fetch(path.startsWith('/v1/') ? `${path}?wait=folded` : path, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: json,
  });
  return {
    status: res.status,
    body: (await res.json()) as { errors?: { path: string; message: string }[] },
  };
}

const own = (map: object, key: string): unknown => Object.getOwnPropertyDescriptor(map, key)?.value;

describe('keys named like Object.prototype members', () => {
  const names = ['__proto__', 'toString', 'constructor', 'prototype'];

  it('are ordinary product ids, categories and event names: the contact folds, twice, with finite figures', async () => {
    for (const [round, at] of [
      [1, '2026-01-01T10:00:00Z'],
      [2, '2026-01-02T10:00:00Z'],
    ] as const) {
      const batch = names.flatMap((name) => [
        `{"type":"track","userId":"proto-1","event":"Order Completed","messageId":"o-${round}-${name}","timestamp":"${at}","properties":{"revenue":10,"products":[{"product_id":"${name}","category":"${name}","price":10}]}}`,
        `{"type":"track","userId":"proto-1","event":"Product Viewed","messageId":"v-${round}-${name}","timestamp":"${at}","properties":{"category":"${name}"}}`,
        `{"type":"track","userId":"proto-1","event":"${name}","messageId":"e-${round}-${name}","timestamp":"${at}","properties":{"n":1}}`,
      ]);
      const answer = await post('/v1/batch', `{"batch":[${batch.join(',')}]}`);
      expect({ round, ...answer }).toEqual({
        round,
        status: 200,
        body: expect.objectContaining({ accepted: batch.length, rejected: [] }),
      });
    }
    const c = await contact('proto-1');
    expect(c.profile.purchases.orderCount).toBe(8);
    expect(c.profile.purchases.totalRevenue).toBe(80);
    expect(c.profile.categories.total).toBe(16);
    for (const name of names) {
      expect({ name, product: own(c.profile.purchases.products, name) }).toEqual({
        name,
        product: expect.objectContaining({ orderCount: 2, quantity: 2 }),
      });
      expect({ name, category: own(c.profile.categories.counts, name) }).toEqual({
        name,
        category: 4,
      });
      expect({ name, event: own(c.profile.events, name) }).toEqual({
        name,
        event: expect.objectContaining({ count: 2 }),
      });
    }
    // The API is not left answering 503 for the following requests.
    expect((await post('/v1/track', '{"userId":"proto-2","event":"After"}')).status).toBe(200);
  });
});

describe('numbers beyond double range', () => {
  it.each([
    [
      '/v1/track',
      '{"userId":"big","event":"Order Completed","properties":{"revenue":1e309}}',
      'properties.revenue',
    ],
    ['/v1/identify', '{"userId":"big","traits":{"ltv":-1e400}}', 'traits.ltv'],
    [
      '/v1/track',
      '{"userId":"big","event":"X","context":{"screen":{"width":1e309}}}',
      'context.screen.width',
    ],
  ])('%s %s is refused with a 400 naming %s', async (path, json, field) => {
    const answer = await post(path, json);
    expect(answer).toEqual({
      status: 400,
      body: expect.objectContaining({
        errors: [{ path: field, message: expect.stringMatching(/beyond the range of a number/) }],
      }),
    });
  });

  it('/v1/batch refuses the one item, naming it, and stores the rest', async () => {
    const answer = await post(
      '/v1/batch',
      '{"batch":[{"type":"track","userId":"big-b","event":"Ok"},{"type":"track","userId":"big-b","event":"Order Completed","properties":{"items":[{"price":1e309}]}}]}',
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      accepted: 1,
      rejected: [{ index: 1, errors: [{ path: 'batch[1].properties.items[0].price' }] }],
    });
  });
});

describe('keys come back as they were sent', () => {
  const keys = [
    'prototype',
    'constructor',
    'toString',
    '$set',
    '$',
    'a.b',
    '.',
    'a\uFF0Eb',
    '\uFF04x',
    'x\u0000y',
    '\u2400',
    '\uFF43onstructor',
    '\uFF3B\uFF3D',
    'a\uFF3Cb',
    'é',
    '😀',
  ];
  const bag = () => JSON.stringify(Object.fromEntries(keys.map((k, i) => [k, { [k]: i }])));

  it('in traits', async () => {
    expect((await post('/v1/identify', `{"userId":"keys-1","traits":${bag()}}`)).status).toBe(200);
    const c = await contact('keys-1');
    for (const [i, key] of keys.entries())
      expect({ key, value: own(c.traits, key) }).toEqual({ key, value: { [key]: i } });
  });

  it('in event properties', async () => {
    expect(
      (
        await post(
          '/v1/track',
          `{"userId":"keys-2","event":"Keys","messageId":"keys-2-1","properties":${bag()}}`,
        )
      ).status,
    ).toBe(200);
    const event = (await contact('keys-2')).timeline.find((e) => e.messageId === 'keys-2-1')!;
    expect(JSON.stringify(event.properties)).toBe(bag());
  });

  it('a __proto__ key is refused with the key named, not silently dropped', async () => {
    const answer = await post(
      '/v1/identify',
      '{"userId":"keys-3","traits":{"plan":"pro","__proto__":{"admin":true}}}',
    );
    expect(answer).toEqual({
      status: 400,
      body: expect.objectContaining({
        errors: [{ path: 'traits.__proto__', message: expect.stringMatching(/rename it/) }],
      }),
    });
  });
});
