import { recordDelivery } from '@cairn/db';
import { startApi, type RunningApi } from './harness';

interface Problem {
  errors?: { path: string; message: string }[];
}

describe('consent and the delivery log on the real stack', () => {
  let api: RunningApi;
  let a: { writeKey: string; adminKey: string; workspace: { _id: string } };
  let b: { adminKey: string };
  beforeAll(async () => {
    api = await startApi();
    a = await api.workspace('A');
    b = await api.workspace('B');
    expect(
      (
        await api.ingest(a.writeKey, '/v1/identify', {
          userId: 'grace',
          traits: { email: 'grace@example.com' },
        })
      ).status,
    ).toBe(200);
  });
  afterAll(async () => api.close());

  it('reads every channel as subscribed by default and merges changes', async () => {
    const before = await api.admin(a.adminKey, '/api/v1/contacts/grace/subscriptions');
    expect(await before.json()).toEqual({
      contactId: 'grace',
      subscriptions: {
        email: 'subscribed',
        sms: 'subscribed',
        push: 'subscribed',
        inApp: 'subscribed',
      },
    });

    const put = await api.admin(a.adminKey, '/api/v1/contacts/grace/subscriptions', {
      method: 'PUT',
      body: { email: 'unsubscribed', sms: 'unsubscribed' },
    });
    expect(put.status).toBe(200);
    await api.admin(a.adminKey, '/api/v1/contacts/grace/subscriptions', {
      method: 'PUT',
      body: { sms: 'subscribed' },
    });
    const after = (await (
      await api.admin(a.adminKey, '/api/v1/contacts/grace/subscriptions')
    ).json()) as { subscriptions: Record<string, string> };
    expect(after.subscriptions).toMatchObject({ email: 'unsubscribed', sms: 'subscribed' });

    // Later events do not undo the choice (the fold and the consent write both go through the revision).
    expect(
      (await api.ingest(a.writeKey, '/v1/track', { userId: 'grace', event: 'Page Viewed' })).status,
    ).toBe(200);
    const again = (await (
      await api.admin(a.adminKey, '/api/v1/contacts/grace/subscriptions')
    ).json()) as { subscriptions: Record<string, string> };
    expect(again.subscriptions.email).toBe('unsubscribed');
  });

  it('names the field and the fix for bad consent bodies', async () => {
    const bad = await api.admin(a.adminKey, '/api/v1/contacts/grace/subscriptions', {
      method: 'PUT',
      body: { email: 'maybe' },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).errors?.[0]).toMatchObject({
      path: 'email',
      message: "must be 'subscribed' or 'unsubscribed'",
    });
    const unknown = await api.admin(a.adminKey, '/api/v1/contacts/grace/subscriptions', {
      method: 'PUT',
      body: { fax: 'unsubscribed' },
    });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as Problem).errors?.[0]?.message).toMatch(/unknown channel/);
    const empty = await api.admin(a.adminKey, '/api/v1/contacts/grace/subscriptions', {
      method: 'PUT',
      body: {},
    });
    expect(empty.status).toBe(400);
  });

  it('records a delivery once per idempotency key and lists it, newest first', async () => {
    const base = {
      workspaceId: a.workspace._id,
      contactId: 'grace',
      journeyId: 'j-welcome',
      nodeId: 'send-1',
      channel: 'email',
    };
    const first = await recordDelivery(api.db.connection, {
      ...base,
      idempotencyKey: 'wf-grace:run1:send-1',
      status: 'skipped',
      reason: 'unsubscribed from email',
      at: 1_000,
    });
    expect(first.recorded).toBe(true);
    // A retried activity reports again: the first record stands.
    const retry = await recordDelivery(api.db.connection, {
      ...base,
      idempotencyKey: 'wf-grace:run1:send-1',
      status: 'sent',
      at: 2_000,
    });
    expect(retry).toMatchObject({ recorded: false, delivery: { status: 'skipped' } });
    await recordDelivery(api.db.connection, {
      ...base,
      idempotencyKey: 'wf-grace:run1:push-2',
      nodeId: 'push-2',
      channel: 'inApp',
      status: 'sent',
      at: 3_000,
    });

    const res = await api.admin(a.adminKey, '/api/v1/contacts/grace/deliveries');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      deliveries: { idempotencyKey: string; status: string; reason?: string; at: string }[];
    };
    expect(body.deliveries.map((d) => [d.idempotencyKey, d.status, d.reason])).toEqual([
      ['wf-grace:run1:push-2', 'sent', undefined],
      ['wf-grace:run1:send-1', 'skipped', 'unsubscribed from email'],
    ]);
    expect(body.deliveries[1]?.at).toBe(new Date(1_000).toISOString());
    const limited = (await (
      await api.admin(a.adminKey, '/api/v1/contacts/grace/deliveries?limit=1')
    ).json()) as { deliveries: unknown[] };
    expect(limited.deliveries).toHaveLength(1);
    expect(
      (await api.admin(a.adminKey, '/api/v1/contacts/grace/deliveries?limit=zero')).status,
    ).toBe(400);
  });

  it("answers 404 for unknown contacts and for another workspace's key", async () => {
    for (const [key, contact] of [
      [a.adminKey, 'nobody'],
      [b.adminKey, 'grace'],
    ] as const) {
      expect((await api.admin(key, `/api/v1/contacts/${contact}/subscriptions`)).status).toBe(404);
      expect(
        (
          await api.admin(key, `/api/v1/contacts/${contact}/subscriptions`, {
            method: 'PUT',
            body: { email: 'subscribed' },
          })
        ).status,
      ).toBe(404);
      expect((await api.admin(key, `/api/v1/contacts/${contact}/deliveries`)).status).toBe(404);
    }
    // B's attempt changed nothing in A.
    const subs = (await (
      await api.admin(a.adminKey, '/api/v1/contacts/grace/subscriptions')
    ).json()) as { subscriptions: Record<string, string> };
    expect(subs.subscriptions.email).toBe('unsubscribed');
  });
});
