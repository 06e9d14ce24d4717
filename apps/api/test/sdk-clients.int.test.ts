import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { gzipSync } from 'node:zlib';
import { eventModel } from '@cairn/db';
import { startApi, type RunningApi } from './harness';

/**
 * The README promises that Segment and RudderStack server libraries only need their host changed. These
 * tests send a few hundred events through the real client libraries, unmodified, to the real API, and check
 * that every event landed exactly once and every profile adds up.
 */

jest.setTimeout(180_000);

const USERS = 20;
const TRACKS_PER_USER = 15;
const EVENT = 'SDK Checked';

let api: RunningApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(async () => api?.close());

interface Sent {
  userId: string;
  seq: number;
}

function plan(prefix: string): Sent[] {
  const out: Sent[] = [];
  for (let u = 0; u < USERS; u++)
    for (let i = 0; i < TRACKS_PER_USER; i++)
      out.push({ userId: `${prefix}-${u}`, seq: u * TRACKS_PER_USER + i });
  return out;
}

async function contact(adminKey: string, userId: string) {
  const res = await api.admin(adminKey, `/api/v1/contacts/${encodeURIComponent(userId)}`);
  return res.status === 200
    ? ((await res.json()) as {
        traits: Record<string, unknown>;
        profile: { events: Record<string, { count: number }> };
      })
    : undefined;
}

/** What landed: every track stored once (by its seq), each contact's profile, and the event catalog's count. */
async function expectLanded(
  ws: { workspace: { _id: string }; adminKey: string },
  prefix: string,
  sent: Sent[],
): Promise<number | undefined> {
  const stored = await eventModel(api.db.connection)
    .find({ workspaceId: ws.workspace._id, event: EVENT })
    .lean();
  const seqs = stored
    .map((e) => Number((e.properties as { seq?: unknown }).seq))
    .sort((a, b) => a - b);
  expect(seqs).toEqual(sent.map((s) => s.seq).sort((a, b) => a - b));
  // The SDK got its answers once the events were appended; folding them into profiles runs just behind.
  for (const deadline = Date.now() + 60_000; ;) {
    const lag = (await (await api.admin(ws.adminKey, '/api/v1/ingestion')).json()) as {
      unfoldedEvents: number;
    };
    if (lag.unfoldedEvents === 0) break;
    if (Date.now() > deadline)
      throw new Error(`${lag.unfoldedEvents} events still unfolded after 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  for (let u = 0; u < USERS; u++) {
    const c = await contact(ws.adminKey, `${prefix}-${u}`);
    expect({ u, plan: c?.traits.plan, count: c?.profile.events[EVENT]?.count }).toEqual({
      u,
      plan: u % 2 ? 'pro' : 'free',
      count: TRACKS_PER_USER,
    });
  }
  const catalog = (await (await api.admin(ws.adminKey, '/api/v1/schema/events')).json()) as {
    event: string;
    count: number;
  }[];
  return catalog.find((e) => e.event === EVENT)?.count;
}

describe('real client libraries, pointed at Cairn', () => {
  it('@segment/analytics-node: every event lands once and every profile is right', async () => {
    const ws = await api.workspace('Segment SDK');
    const analytics = new SegmentAnalytics({
      writeKey: ws.writeKey,
      host: api.url,
      flushAt: 40,
      flushInterval: 200,
      maxRetries: 5,
    });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    const sent = plan('seg');
    for (let u = 0; u < USERS; u++)
      analytics.identify({
        userId: `seg-${u}`,
        traits: { plan: u % 2 ? 'pro' : 'free', email: `seg-${u}@example.com` },
      });
    for (const s of sent)
      analytics.track({
        userId: s.userId,
        event: EVENT,
        properties: { seq: s.seq, revenue: s.seq / 10 },
      });
    await analytics.closeAndFlush({ timeout: 120_000 });
    expect(errors).toEqual([]);
    const catalogCount = await expectLanded(ws, 'seg', sent);
    console.info(
      `@segment/analytics-node: ${sent.length} tracks sent, catalog counts ${catalogCount}`,
    );
  });

  it('@rudderstack/rudder-sdk-node (gzip JSON sent as application/x-www-form-urlencoded): every event lands once and every profile is right', async () => {
    const ws = await api.workspace('RudderStack SDK');
    const errors: unknown[] = [];
    const client = new RudderAnalytics(ws.writeKey, {
      dataPlaneUrl: api.url,
      flushAt: 40,
      flushInterval: 200,
      logLevel: 'error',
      errorHandler: (error: unknown) => errors.push(error),
    });
    const sent = plan('rs');
    const acked: Promise<void>[] = [];
    const ack = () => {
      let done!: (error?: unknown) => void;
      acked.push(
        new Promise<void>(
          (resolve, reject) => (done = (error) => (error ? reject(error as Error) : resolve())),
        ),
      );
      return done;
    };
    for (let u = 0; u < USERS; u++)
      client.identify(
        {
          userId: `rs-${u}`,
          traits: { plan: u % 2 ? 'pro' : 'free', email: `rs-${u}@example.com` },
        },
        ack(),
      );
    for (const s of sent)
      client.track(
        { userId: s.userId, event: EVENT, properties: { seq: s.seq, revenue: s.seq / 10 } },
        ack(),
      );
    await client.flush();
    await Promise.all(acked);
    expect(errors).toEqual([]);
    const catalogCount = await expectLanded(ws, 'rs', sent);
    console.info(
      `@rudderstack/rudder-sdk-node: ${sent.length} tracks sent, catalog counts ${catalogCount}`,
    );
  });

  it('a RudderStack-shaped batch from a device whose clock is an hour fast is stored at the corrected time', async () => {
    const ws = await api.workspace('Skewed clock');
    const hourFast = (ms: number) => new Date(Date.now() + 3_600_000 - ms).toISOString();
    const item = {
      type: 'track',
      userId: 'skewed',
      event: EVENT,
      messageId: 'skew-1',
      channel: 'server',
      _metadata: { nodeVersion: '20.0.0' },
      properties: { seq: 1 },
      originalTimestamp: hourFast(10_000),
      sentAt: hourFast(0),
      context: { library: { name: 'analytics-node' } },
    };
    const before = Date.now();
    const res = await api.fetch('/v1/batch', {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'content-encoding': 'gzip',
      },
      body: gzipSync(
        JSON.stringify({ batch: [item], timestamp: hourFast(0), sentAt: hourFast(0) }),
      ),
    });
    expect(res.status).toBe(200);
    const [stored] = await eventModel(api.db.connection)
      .find({ workspaceId: ws.workspace._id, event: EVENT })
      .lean();
    // Ten seconds before it reached us, not fifty minutes in the future.
    expect(stored!.timestamp).toBeGreaterThanOrEqual(before - 10_000 - 1000);
    expect(stored!.timestamp).toBeLessThanOrEqual(Date.now() - 10_000 + 1000);
  });
});
