import { startApi, type RunningApi } from './harness';

describe('contacts API', () => {
  let api: RunningApi;
  let a: Awaited<ReturnType<RunningApi['workspace']>>;
  let b: Awaited<ReturnType<RunningApi['workspace']>>;
  beforeAll(async () => {
    api = await startApi();
    [a, b] = await Promise.all([api.workspace('A'), api.workspace('B')]);
    await api.ingest(a.writeKey, '/v1/batch', {
      batch: [
        {
          type: 'identify',
          userId: 'ada',
          traits: { email: 'ada@example.com', name: 'Ada' },
          messageId: 'c1',
        },
        {
          type: 'track',
          userId: 'ada',
          event: 'Product Viewed',
          properties: { category: 'Tea', price: 4.5 },
          messageId: 'c2',
        },
        { type: 'identify', userId: 'bob', traits: { email: 'bob@example.com' }, messageId: 'c3' },
      ],
    });
  });
  afterAll(async () => api.close());

  it('lists, searches and pages contacts', async () => {
    const all = (await (await api.admin(a.adminKey, '/api/v1/contacts?limit=1')).json()) as {
      items: { id: string }[];
      nextCursor: string;
    };
    expect(all.items.map((i) => i.id)).toEqual(['ada']);
    const next = (await (
      await api.admin(a.adminKey, `/api/v1/contacts?limit=1&cursor=${all.nextCursor}`)
    ).json()) as { items: { id: string }[]; nextCursor: string | null };
    expect(next.items.map((i) => i.id)).toEqual(['bob']);
    const search = (await (await api.admin(a.adminKey, '/api/v1/contacts?q=BOB@')).json()) as {
      items: { id: string }[];
    };
    expect(search.items.map((i) => i.id)).toEqual(['bob']);
    const bad = await api.admin(a.adminKey, '/api/v1/contacts?limit=0');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe('limit');
  });

  it('finds contacts by the start of their email, their userId or a word of their name, page by page', async () => {
    await api.ingest(a.writeKey, '/v1/batch', {
      batch: Array.from({ length: 5 }, (_, i) => ({
        type: 'identify',
        userId: `shopper-${i}`,
        traits: { email: `Shopper.${i}@Mail.example`, name: `Kim Söderström ${i}` },
        messageId: `s${i}`,
      })),
    });
    const ids = async (query: string) =>
      (
        (await (await api.admin(a.adminKey, `/api/v1/contacts?${query}`)).json()) as {
          items: { id: string }[];
        }
      ).items
        .map((i) => i.id)
        .sort();
    expect(await ids('q=shopper.3%40mail')).toEqual(['shopper-3']);
    expect(await ids('q=shopper-')).toEqual([0, 1, 2, 3, 4].map((i) => `shopper-${i}`));
    expect(await ids('q=soDERs')).toHaveLength(5);

    const first = (await (
      await api.admin(a.adminKey, '/api/v1/contacts?q=shopper&limit=3')
    ).json()) as { items: { id: string }[]; nextCursor: string };
    const rest = (await (
      await api.admin(
        a.adminKey,
        `/api/v1/contacts?q=shopper&limit=3&cursor=${encodeURIComponent(first.nextCursor)}`,
      )
    ).json()) as { items: { id: string }[]; nextCursor: string | null };
    expect([...first.items, ...rest.items].map((i) => i.id).sort()).toEqual(
      [0, 1, 2, 3, 4].map((i) => `shopper-${i}`),
    );
    expect(rest.nextCursor).toBeNull();

    const bad = await api.admin(a.adminKey, '/api/v1/contacts?q=shopper&cursor=ada');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe('cursor');
  });

  it('returns a contact with profile and timeline, and the event schema for pickers', async () => {
    const ada = (await (await api.admin(a.adminKey, '/api/v1/contacts/ada')).json()) as {
      traits: { name: string };
      profile: { categories: unknown };
      timeline: { event: string }[];
    };
    expect(ada.traits.name).toBe('Ada');
    expect(ada.timeline.map((t) => t.event)).toEqual(
      expect.arrayContaining(['Identify', 'Product Viewed']),
    );
    const schema = (await (await api.admin(a.adminKey, '/api/v1/schema/events')).json()) as {
      event: string;
      properties: { name: string; type: string }[];
    }[];
    const viewed = schema.find((s) => s.event === 'Product Viewed');
    expect(viewed?.properties).toEqual(
      expect.arrayContaining([
        { name: 'price', type: 'number' },
        { name: 'category', type: 'string' },
      ]),
    );
  });

  it("answers 404 to another workspace's key and never shows its contacts", async () => {
    expect((await api.admin(b.adminKey, '/api/v1/contacts/ada')).status).toBe(404);
    expect((await api.admin(b.adminKey, '/api/v1/contacts/ada', { method: 'DELETE' })).status).toBe(
      404,
    );
    const list = (await (await api.admin(b.adminKey, '/api/v1/contacts')).json()) as {
      items: unknown[];
    };
    expect(list.items).toEqual([]);
  });

  it('deletes a contact with its events', async () => {
    const res = await api.admin(a.adminKey, '/api/v1/contacts/bob', { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect((await api.admin(a.adminKey, '/api/v1/contacts/bob')).status).toBe(404);
  });
});
