import { signTrackingToken, type TrackingTokenPayload } from '@cairn/actions';
import {
  contactKey,
  contactModel,
  createSegment,
  eventModel,
  journeyNodeStatsModel,
  loadProfile,
} from '@cairn/db';
import { startApi, type RunningApi } from './harness';

const SECRET = 'tracking-test-secret-0123456789abcdef';

describe('email tracking links on the real stack', () => {
  let api: RunningApi;
  let keys: { writeKey: string; adminKey: string; workspace: { _id: string } };
  beforeAll(async () => {
    api = await startApi({ env: { CAIRN_SECRET_KEY: SECRET } });
    keys = await api.workspace();
    for (const userId of ['reader', 'clicker', 'leaver', 'one-click', 'segment-reader']) {
      const res = await api.ingest(keys.writeKey, '/v1/identify', {
        userId,
        traits: { email: `${userId}@example.com` },
      });
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => api.close());

  const tokenFor = (contactId: string, extra: Partial<TrackingTokenPayload> = {}) =>
    signTrackingToken(
      {
        workspace: keys.workspace._id,
        contactId,
        journeyId: 'j-welcome',
        nodeId: 'send-1',
        messageId: `wf-${contactId}:send-1`,
        ...extra,
      },
      SECRET,
    );

  async function contact(contactId: string) {
    const doc = await contactModel(api.db.connection)
      .findById(contactKey(keys.workspace._id, contactId))
      .lean();
    if (!doc) throw new Error(`no contact ${contactId}`);
    return { doc, profile: await loadProfile(api.db.connection, doc) };
  }
  const events = (contactId: string, event: string) =>
    eventModel(api.db.connection)
      .find({ workspaceId: keys.workspace._id, contactId, event })
      .lean();

  it('answers the open pixel with a GIF and folds Email Opened into the profile', async () => {
    const minuteBefore = Math.floor(Date.now() / 60_000);
    const first = await api.fetch(`/t/o/${tokenFor('reader')}.gif`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('image/gif');
    expect(first.headers.get('cache-control')).toMatch(/no-store/);
    expect(
      Buffer.from(await first.arrayBuffer())
        .subarray(0, 6)
        .toString(),
    ).toBe('GIF89a');

    // A mail client fetching the pixel twice in a burst counts once; opens in a later minute count again.
    await api.fetch(`/t/o/${tokenFor('reader')}.gif`);
    const sameMinute = Math.floor(Date.now() / 60_000) === minuteBefore;
    const opened = await events('reader', 'Email Opened');
    expect(opened).toHaveLength(sameMinute ? 1 : 2);
    expect(opened[0]?.properties).toMatchObject({
      messageId: 'wf-reader:send-1',
      journeyId: 'j-welcome',
      nodeId: 'send-1',
    });
    const { profile } = await contact('reader');
    expect(profile.email.opened).toBe(opened.length);
    expect(profile.email.lastOpenedAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('still answers a GIF for a forged or garbage token, and records nothing', async () => {
    const forged = signTrackingToken(
      {
        workspace: keys.workspace._id,
        contactId: 'clicker',
        journeyId: 'j',
        nodeId: 'n',
        messageId: 'm',
      },
      'another-secret-of-32-characters-xx',
    );
    for (const token of [forged, 'not-a-token', `${tokenFor('clicker').slice(0, -3)}abc`]) {
      const res = await api.fetch(`/t/o/${token}.gif`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/gif');
    }
    expect(await events('clicker', 'Email Opened')).toHaveLength(0);
  });

  it('redirects a click to the signed URL only and records Email Clicked with the url', async () => {
    const url = 'https://shop.example/sale?utm_source=cairn&x=1';
    // A url in the query string is ignored: only the signed one is followed.
    const res = await api.fetch(`/t/c/${tokenFor('clicker', { url })}?url=https://evil.example`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(url);
    const clicked = await events('clicker', 'Email Clicked');
    expect(clicked).toHaveLength(1);
    expect(clicked[0]?.properties).toMatchObject({ url, messageId: 'wf-clicker:send-1' });
    expect((await contact('clicker')).profile.email.clicked).toBe(1);
  });

  it("moves the email node's open and click counters once per recorded event", async () => {
    const node = await journeyNodeStatsModel(api.db.connection)
      .findById(`${keys.workspace._id}:j-welcome:send-1`)
      .lean();
    const opened = await eventModel(api.db.connection).countDocuments({
      workspaceId: keys.workspace._id,
      event: 'Email Opened',
    });
    const clicked = await eventModel(api.db.connection).countDocuments({
      workspaceId: keys.workspace._id,
      event: 'Email Clicked',
    });
    expect(node).toMatchObject({ opened, clicked });
    expect(clicked).toBe(1);
  });

  it('gives a tampered click token no redirect', async () => {
    const good = tokenFor('clicker', { url: 'https://shop.example/' });
    const [, signature] = good.split('.');
    const evilBody = Buffer.from(
      JSON.stringify({
        workspace: keys.workspace._id,
        contactId: 'clicker',
        journeyId: 'j-welcome',
        nodeId: 'send-1',
        messageId: 'wf-clicker:send-1',
        url: 'https://evil.example/',
      }),
    ).toString('base64url');
    for (const token of [
      `${evilBody}.${signature}`,
      tokenFor('clicker') /* valid but has no url */,
    ]) {
      const res = await api.fetch(`/t/c/${token}`, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(res.headers.get('location')).toBeNull();
    }
    // A signed javascript: link is refused too.
    const js = await api.fetch(`/t/c/${tokenFor('clicker', { url: 'javascript:alert(1)' })}`, {
      redirect: 'manual',
    });
    expect(js.status).toBe(404);
    expect(await events('clicker', 'Email Clicked')).toHaveLength(1);
  });

  it('unsubscribes from the link (GET shows a confirmation page) and records Unsubscribed', async () => {
    const res = await api.fetch(`/t/u/${tokenFor('leaver')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('unsubscribed');
    const { doc } = await contact('leaver');
    expect(doc.subscriptions.email).toBe('unsubscribed');
    expect(await events('leaver', 'Unsubscribed')).toHaveLength(1);
    // The management API agrees.
    const subs = await api.admin(keys.adminKey, '/api/v1/contacts/leaver/subscriptions');
    expect(
      ((await subs.json()) as { subscriptions: Record<string, string> }).subscriptions,
    ).toMatchObject({ email: 'unsubscribed', sms: 'subscribed' });
    // Clicking again changes nothing and counts nothing.
    expect((await api.fetch(`/t/u/${tokenFor('leaver')}`)).status).toBe(200);
    expect(await events('leaver', 'Unsubscribed')).toHaveLength(1);
  });

  it('accepts the RFC 8058 one-click POST from the mail provider', async () => {
    const res = await api.fetch(`/t/u/${tokenFor('one-click')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect((await contact('one-click')).doc.subscriptions.email).toBe('unsubscribed');
    // Other contacts are untouched.
    expect((await contact('reader')).doc.subscriptions.email).toBeUndefined();
  });

  it('refuses an unsubscribe link with a bad signature', async () => {
    const res = await api.fetch(`/t/u/${tokenFor('reader').slice(0, -2)}xx`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(404);
    expect((await contact('reader')).doc.subscriptions.email).toBeUndefined();
  });

  // Ingest re-evaluates segments, so an open can move a contact into a segment of email openers.
  it('moves the contact into a segment of email openers', async () => {
    await createSegment(api.db.connection, keys.workspace._id, {
      segmentId: 'openers',
      name: 'Email openers',
      definition: {
        type: 'all',
        conditions: [{ type: 'metric', metric: 'emailOpens', operator: 'gte', value: 1 }],
      },
    });
    expect((await contact('segment-reader')).doc.segments.openers).toBeUndefined();
    expect(
      (await api.fetch(`/t/o/${tokenFor('segment-reader', { journeyId: 'j-other' })}.gif`)).status,
    ).toBe(200);
    expect((await contact('segment-reader')).doc.segments.openers).toBeDefined();
  });
});
