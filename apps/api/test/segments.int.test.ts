import { NativeConnection, Worker } from '@temporalio/worker';
import { bundleCairnWorkflows, createSegmentActivities } from '@cairn/worker';
import { startApi, type RunningApi } from './harness';

const DAY = 86_400_000;

type Problem = { status: number; detail: string; errors?: { path: string; message: string }[] };
type Segment = {
  id: string;
  name: string;
  memberCount: number;
  version: number;
  backfill: { state: string; version: number; processed: number; total: number };
};

describe('the segments API on the real stack', () => {
  let api: RunningApi;
  let a: Awaited<ReturnType<RunningApi['workspace']>>;
  let b: Awaited<ReturnType<RunningApi['workspace']>>;
  let native: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    api = await startApi();
    a = await api.workspace('Shop A');
    b = await api.workspace('Shop B');
    // The worker that runs backfills, on the API's own task queue.
    native = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS as string });
    worker = await Worker.create({
      connection: native,
      namespace: api.ctx.temporal.namespace,
      taskQueue: api.ctx.temporal.taskQueue,
      workflowBundle: await bundleCairnWorkflows(),
      activities: createSegmentActivities(api.db.connection),
    });
    running = worker.run();
  }, 180_000);
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await native?.close();
    await api.close();
  });

  const admin = (path: string, init?: { method?: string; body?: unknown }) =>
    api.admin(a.adminKey, path, init);
  const orderAt = (userId: string, messageId: string, at: number, revenue = 25) => ({
    type: 'track',
    userId,
    event: 'Order Completed',
    messageId,
    timestamp: new Date(at).toISOString(),
    properties: { revenue },
  });

  async function membersOf(segmentId: string): Promise<string[]> {
    const res = await admin(`/api/v1/segments/${segmentId}/members?limit=500`);
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: { id: string }[] }).items.map((m) => m.id).sort();
  }

  async function backfilled(segmentId: string, version: number): Promise<Segment> {
    for (let i = 0; i < 150; i++) {
      const s = (await (await admin(`/api/v1/segments/${segmentId}`)).json()) as Segment;
      if (s.backfill.state === 'done' && s.backfill.version === version) return s;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`backfill of ${segmentId} v${version} did not finish within 30 s`);
  }

  it('moves a contact out of "lapsed" and into "repeat buyers" right after a purchase is ingested', async () => {
    const templates = (await (await admin('/api/v1/segments/templates')).json()) as {
      id: string;
      name: string;
      definition: unknown;
    }[];
    for (const id of ['lapsed-customers', 'repeat-buyers']) {
      const t = templates.find((x) => x.id === id);
      const res = await admin('/api/v1/segments', {
        body: { id, name: t?.name, definition: t?.definition },
      });
      expect(res.status).toBe(201);
    }
    const now = Date.now();
    expect(
      (await api.ingest(a.writeKey, '/v1/track', orderAt('lea', 'lea-1', now - 200 * DAY))).status,
    ).toBe(200);
    expect(await membersOf('lapsed-customers')).toEqual(['lea']);
    expect(await membersOf('repeat-buyers')).toEqual([]);

    expect((await api.ingest(a.writeKey, '/v1/track', orderAt('lea', 'lea-2', now))).status).toBe(
      200,
    );
    expect(await membersOf('lapsed-customers')).toEqual([]);
    expect(await membersOf('repeat-buyers')).toEqual(['lea']);

    const history = (await (await admin('/api/v1/contacts/lea/segments/history')).json()) as {
      segmentId: string;
      kind: string;
      reason: string;
    }[];
    expect(history.map((h) => `${h.kind} ${h.segmentId}`).sort()).toEqual([
      'entered lapsed-customers',
      'entered repeat-buyers',
      'exited lapsed-customers',
    ]);

    const why = (await (await admin('/api/v1/segments/repeat-buyers/why/lea')).json()) as {
      member: boolean;
      explanation: { matches: boolean; children: { sentence: string }[] };
    };
    expect(why.member).toBe(true);
    expect(why.explanation.matches).toBe(true);
    expect(why.explanation.children[0]?.sentence).toMatch(/2/);
  });

  it('backfills a new segment, matches its preview, and backfills again after an edit', async () => {
    const now = Date.now();
    const batch = [];
    for (let i = 0; i < 12; i++) {
      batch.push({
        type: 'identify',
        userId: `shopper-${i}`,
        messageId: `id-${i}`,
        traits: { plan: i % 3 === 0 ? 'pro' : 'free' },
      });
      for (let o = 0; o < i % 4; o++)
        batch.push(orderAt(`shopper-${i}`, `s${i}-o${o}`, now - (o + 1) * DAY, 10 * (i + 1)));
    }
    expect((await api.ingest(a.writeKey, '/v1/batch', { batch })).status).toBe(200);

    const definition = {
      type: 'all',
      conditions: [{ type: 'metric', metric: 'totalRevenue', operator: 'gte', value: 100 }],
    };
    const preview = (await (
      await admin('/api/v1/segments/preview', { body: { definition } })
    ).json()) as { count: number; total: number; sample: { id: string }[] };
    const created = await admin('/api/v1/segments', { body: { name: 'Big spenders', definition } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Segment;
    expect(id).toBe('big-spenders');
    const saved = await backfilled(id, 1);
    expect(preview.count).toBeGreaterThan(0);
    expect(saved.memberCount).toBe(preview.count);
    expect(saved.backfill).toMatchObject({ processed: preview.total, total: preview.total });
    expect((await membersOf(id)).length).toBe(preview.count);

    const narrower = {
      type: 'all',
      conditions: [
        ...definition.conditions,
        { type: 'trait', field: 'plan', operator: 'eq', value: 'pro' },
      ],
    };
    const edited = await admin(`/api/v1/segments/${id}`, {
      method: 'PUT',
      body: { definition: narrower },
    });
    expect(edited.status).toBe(200);
    expect(((await edited.json()) as Segment).version).toBe(2);
    const after = await backfilled(id, 2);
    const narrowPreview = (await (
      await admin('/api/v1/segments/preview', { body: { definition: narrower } })
    ).json()) as { count: number };
    expect(after.memberCount).toBe(narrowPreview.count);
    expect(after.memberCount).toBeLessThan(saved.memberCount);

    const list = (await (await admin('/api/v1/segments')).json()) as Segment[];
    expect(list.find((s) => s.id === id)).toMatchObject({
      name: 'Big spenders',
      version: 2,
      memberCount: after.memberCount,
    });
    const chart = (await (await admin(`/api/v1/segments/${id}/history?days=3`)).json()) as {
      day: string;
      members: number;
    }[];
    expect(chart).toHaveLength(3);
    expect(chart[2]?.members).toBe(after.memberCount);
  }, 120_000);

  it('refuses bad definitions with the field path, unknown segments and cycles with 422', async () => {
    const bad = await admin('/api/v1/segments', {
      body: {
        name: 'Bad',
        definition: {
          type: 'all',
          conditions: [
            { type: 'event', check: 'performed', event: 'X', window: { amount: 0, unit: 'days' } },
          ],
        },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await bad.json()) as Problem).errors?.[0]?.path).toBe(
      'definition.conditions[0].window.amount',
    );

    const unknown = await admin('/api/v1/segments', {
      body: {
        name: 'Needs ghost',
        definition: {
          type: 'all',
          conditions: [{ type: 'segment', membership: 'member', segmentId: 'ghost' }],
        },
      },
    });
    expect(unknown.status).toBe(422);
    expect(((await unknown.json()) as Problem).errors?.[0]?.path).toBe(
      'definition.conditions[0].segmentId',
    );

    const needsRepeat = await admin('/api/v1/segments', {
      body: {
        id: 'loyal',
        name: 'Loyal',
        definition: {
          type: 'all',
          conditions: [{ type: 'segment', membership: 'member', segmentId: 'repeat-buyers' }],
        },
      },
    });
    expect(needsRepeat.status).toBe(201);
    const cycle = await admin('/api/v1/segments/repeat-buyers', {
      method: 'PUT',
      body: {
        definition: {
          type: 'all',
          conditions: [{ type: 'segment', membership: 'member', segmentId: 'loyal' }],
        },
      },
    });
    expect(cycle.status).toBe(422);
    expect(((await cycle.json()) as Problem).detail).toMatch(/cycle/);
    // Still in use by "loyal": archiving it would break that segment.
    expect((await admin('/api/v1/segments/repeat-buyers', { method: 'DELETE' })).status).toBe(409);
    expect((await admin('/api/v1/segments/loyal', { method: 'DELETE' })).status).toBe(204);
    expect((await admin('/api/v1/segments/loyal')).status).toBe(404);
    expect(
      (await admin('/api/v1/segments', { body: { name: '', definition: { type: 'all' } } })).status,
    ).toBe(400);
  });

  it("answers 404 to another workspace's key", async () => {
    const other = (path: string, init?: { method?: string; body?: unknown }) =>
      api.admin(b.adminKey, path, init);
    expect((await other('/api/v1/segments/repeat-buyers')).status).toBe(404);
    expect((await other('/api/v1/segments/repeat-buyers/members')).status).toBe(404);
    expect((await other('/api/v1/segments/repeat-buyers/why/lea')).status).toBe(404);
    expect(
      (await other('/api/v1/segments/repeat-buyers', { method: 'PUT', body: { name: 'Mine now' } }))
        .status,
    ).toBe(404);
    expect((await other('/api/v1/segments/repeat-buyers', { method: 'DELETE' })).status).toBe(404);
    expect(await (await other('/api/v1/segments')).json()).toEqual([]);
    expect((await other('/api/v1/contacts/lea/segments/history')).status).toBe(404);
    // And its preview sees none of workspace A's contacts.
    const preview = await other('/api/v1/segments/preview', {
      body: {
        definition: {
          type: 'all',
          conditions: [{ type: 'metric', metric: 'orderCount', operator: 'gte', value: 1 }],
        },
      },
    });
    expect(await preview.json()).toMatchObject({ count: 0, total: 0 });
    expect((await admin('/api/v1/segments/repeat-buyers')).status).toBe(200);
  });
});
