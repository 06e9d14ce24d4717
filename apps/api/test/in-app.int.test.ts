import { storeInAppMessage } from '@cairn/db';
import { startApi, type RunningApi } from './harness';

interface Inbox {
  messages: {
    messageId: string;
    title: string;
    body: string;
    cta?: { label: string; url: string };
  }[];
}

describe('in-app messages for the client on the real stack', () => {
  let api: RunningApi;
  let a: { writeKey: string; adminKey: string; workspace: { _id: string } };
  let b: { writeKey: string };
  const basic = (key: string) => ({
    authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}`,
  });

  beforeAll(async () => {
    api = await startApi();
    a = await api.workspace('A');
    b = await api.workspace('B');
    expect(
      (await api.ingest(a.writeKey, '/v1/identify', { userId: 'lin', traits: { plan: 'pro' } }))
        .status,
    ).toBe(200);
    expect(
      (await api.ingest(b.writeKey, '/v1/identify', { userId: 'lin', traits: {} })).status,
    ).toBe(200);
    const now = Date.now();
    const base = {
      journeyId: 'j-onboarding',
      nodeId: 'nudge',
      createdAt: new Date(now - 60_000).toISOString(),
    };
    await storeInAppMessage(api.db.connection, a.workspace._id, 'lin', {
      ...base,
      messageId: 'm-old',
      title: 'Older',
      body: 'first',
    });
    await storeInAppMessage(api.db.connection, a.workspace._id, 'lin', {
      ...base,
      messageId: 'm-new',
      title: 'Try reports',
      body: '<b>not html</b>',
      cta: { label: 'Open', url: '/reports' },
      createdAt: new Date(now).toISOString(),
    });
    await storeInAppMessage(api.db.connection, a.workspace._id, 'lin', {
      ...base,
      messageId: 'm-expired',
      title: 'Gone',
      body: 'x',
      expiresAt: new Date(now - 1000).toISOString(),
    });
    // A retried store (same messageId) does not duplicate.
    await storeInAppMessage(api.db.connection, a.workspace._id, 'lin', {
      ...base,
      messageId: 'm-old',
      title: 'Older',
      body: 'first',
    });
  });
  afterAll(async () => api.close());

  const inbox = async (key: string, userId = 'lin') =>
    api.fetch(`/v1/in-app/messages?userId=${encodeURIComponent(userId)}`, { headers: basic(key) });

  it("lists the contact's unread, unexpired messages newest first, with CORS for browsers", async () => {
    const res = await inbox(a.writeKey);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const body = (await res.json()) as Inbox;
    expect(body.messages.map((m) => m.messageId)).toEqual(['m-new', 'm-old']);
    expect(body.messages[0]).toMatchObject({
      title: 'Try reports',
      body: '<b>not html</b>',
      cta: { label: 'Open', url: '/reports' },
    });

    const preflight = await api.fetch('/v1/in-app/messages?userId=lin', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
  });

  it('acknowledges a message so it is not shown again; a second ack is harmless', async () => {
    const ack = await api.fetch('/v1/in-app/messages/m-new/ack', {
      method: 'POST',
      headers: { ...basic(a.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'lin' }),
    });
    expect(ack.status).toBe(200);
    expect(
      ((await (await inbox(a.writeKey)).json()) as Inbox).messages.map((m) => m.messageId),
    ).toEqual(['m-old']);
    const again = await api.fetch('/v1/in-app/messages/m-new/ack?userId=lin', {
      method: 'POST',
      headers: basic(a.writeKey),
    });
    expect(again.status).toBe(200);
    const unknown = await api.fetch('/v1/in-app/messages/m-nope/ack?userId=lin', {
      method: 'POST',
      headers: basic(a.writeKey),
    });
    expect(unknown.status).toBe(404);
  });

  it("scopes to the key's workspace: another workspace's key gets 404", async () => {
    // B has its own contact "lin" but none of A's messages.
    expect(((await (await inbox(b.writeKey)).json()) as Inbox).messages).toEqual([]);
    const ack = await api.fetch('/v1/in-app/messages/m-old/ack?userId=lin', {
      method: 'POST',
      headers: basic(b.writeKey),
    });
    expect(ack.status).toBe(404);
    expect((await inbox(b.writeKey, 'only-in-a')).status).toBe(404);
    expect(
      ((await (await inbox(a.writeKey)).json()) as Inbox).messages.map((m) => m.messageId),
    ).toEqual(['m-old']);
  });

  it('requires the write key and a userId', async () => {
    expect((await api.fetch('/v1/in-app/messages?userId=lin')).status).toBe(401);
    const noUser = await api.fetch('/v1/in-app/messages', { headers: basic(a.writeKey) });
    expect(noUser.status).toBe(400);
    expect(((await noUser.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe(
      'userId',
    );
  });
});
