import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { startApi, type RunningApi } from './harness';

/**
 * The event debugger as a developer wiring an SDK uses it: send a first event with a real Segment library
 * and a broken call by hand, then look both up over HTTP (the designer's Debugger page polls this route).
 */

jest.setTimeout(120_000);

interface DebuggerView {
  events: {
    type: string;
    event: string;
    userId?: string;
    anonymousId?: string;
    messageId: string;
    receivedAt: string;
    properties?: Record<string, unknown>;
    propertiesPreview?: string;
  }[];
  refused: {
    at: string;
    method: string;
    path: string;
    status: number;
    detail?: string;
    errors: { path: string; message: string }[];
    body: string;
    truncated: boolean;
  }[];
  fold: { unfoldedEvents: number; foldLagMs: number; parkedEvents: number };
}

let api: RunningApi;
let ws: Awaited<ReturnType<RunningApi['workspace']>>;
beforeAll(async () => {
  api = await startApi();
  ws = await api.workspace('Debugger');
});
afterAll(async () => api?.close());

async function view(adminKey: string, query = ''): Promise<DebuggerView> {
  const res = await api.admin(adminKey, `/api/v1/debugger/events${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as DebuggerView;
}

/** Recording runs behind the acknowledgement, so the view is polled the way the page polls it. */
async function until(
  adminKey: string,
  query: string,
  done: (v: DebuggerView) => boolean,
): Promise<DebuggerView> {
  for (const deadline = Date.now() + 20_000; ;) {
    const v = await view(adminKey, query);
    if (done(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`debugger never showed it: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it("shows an SDK's first event, newest first, with its properties and the fold lag", async () => {
  const analytics = new SegmentAnalytics({ writeKey: ws.writeKey, host: api.url, flushAt: 1 });
  analytics.track({ userId: 'dev-1', event: 'First Event', properties: { plan: 'pro', n: 1 } });
  await analytics.closeAndFlush({ timeout: 30_000 });
  const first = await until(ws.adminKey, '', (v) => v.events.length === 1);
  expect(first.events[0]).toMatchObject({
    type: 'track',
    event: 'First Event',
    userId: 'dev-1',
    properties: { plan: 'pro', n: 1 },
  });
  expect(Date.now() - Date.parse(first.events[0]!.receivedAt)).toBeLessThan(60_000);
  expect(first.fold).toEqual({
    unfoldedEvents: expect.any(Number),
    foldLagMs: expect.any(Number),
    parkedEvents: 0,
  });

  const res = await api.ingest(ws.writeKey, '/v1/track', {
    userId: 'dev-2',
    event: 'Second Event',
    messageId: 'dbg-second',
  });
  expect(res.status).toBe(200);
  const both = await until(ws.adminKey, '', (v) => v.events.length === 2);
  expect(both.events.map((e) => e.event)).toEqual(['Second Event', 'First Event']);
});

it('shows each refused call with its status, reason, field path and a copy of the body', async () => {
  const bad = await api.ingest(
    ws.writeKey,
    '/v1/track',
    { userId: 'dev-3', event: 'Bad Time', timestamp: 'yesterday-ish' },
    { wait: false },
  );
  expect(bad.status).toBe(400);
  const answered = (await bad.json()) as { errors: { path: string }[] };

  const notJson = await api.fetch('/v1/identify', {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${ws.writeKey}:`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: '{"userId": "dev-4",',
  });
  expect(notJson.status).toBe(400);

  const batch = await api.ingest(ws.writeKey, '/v1/batch', {
    batch: [
      { type: 'track', userId: 'dev-5', event: 'Kept', messageId: 'dbg-kept' },
      { type: 'track', event: 'No Identity', messageId: 'dbg-anon' },
    ],
  });
  expect(batch.status).toBe(200);

  const v = await until(ws.adminKey, '', (x) => x.refused.length === 3);
  const [fromBatch, parse, badTime] = v.refused;
  expect(badTime).toMatchObject({ method: 'POST', path: '/v1/track', status: 400 });
  expect(badTime!.errors.map((e) => e.path)).toEqual(answered.errors.map((e) => e.path));
  expect(badTime!.errors.map((e) => e.path)).toContain('timestamp');
  expect(JSON.parse(badTime!.body)).toMatchObject({ event: 'Bad Time', userId: 'dev-3' });

  expect(parse).toMatchObject({ path: '/v1/identify', status: 400 });
  expect(parse!.errors[0]?.path).toBe('(body)');

  expect(fromBatch).toMatchObject({ path: '/v1/batch', status: 200 });
  expect(fromBatch!.errors[0]?.path).toMatch(/^batch\[1\]/);
  expect(JSON.parse(fromBatch!.body)).toMatchObject({ event: 'No Identity' });
  // The batch's good event is listed as accepted.
  expect(v.events[0]).toMatchObject({ event: 'Kept', userId: 'dev-5' });
});

it('filters by user and by event name, case-insensitively and by part of the value', async () => {
  await until(ws.adminKey, '', (v) => v.events.length >= 3);
  const byUser = await view(ws.adminKey, '?userId=DEV-2');
  expect(byUser.events.map((e) => e.event)).toEqual(['Second Event']);
  expect(byUser.refused).toEqual([]);

  const byEvent = await view(ws.adminKey, '?event=first');
  expect(byEvent.events.map((e) => e.userId)).toEqual(['dev-1']);

  const refusedByEvent = await view(ws.adminKey, '?event=bad%20time');
  expect(refusedByEvent.events).toEqual([]);
  expect(refusedByEvent.refused.map((r) => r.path)).toEqual(['/v1/track']);

  const limited = await view(ws.adminKey, '?limit=1');
  expect(limited.events).toHaveLength(1);

  const tooMany = await api.admin(ws.adminKey, '/api/v1/debugger/events?limit=5000');
  expect(tooMany.status).toBe(400);
  expect(((await tooMany.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe(
    'query.limit',
  );
});

it("never shows another workspace's calls", async () => {
  const other = await api.workspace('Other');
  await api.ingest(other.writeKey, '/v1/track', {
    userId: 'other-1',
    event: 'Other Event',
    messageId: 'dbg-other',
  });
  await until(other.adminKey, '', (v) => v.events.length === 1);
  const mine = await view(ws.adminKey, '?userId=other');
  expect(mine.events).toEqual([]);
  const theirs = await view(other.adminKey);
  expect(theirs.events.map((e) => e.event)).toEqual(['Other Event']);
  expect(theirs.refused).toEqual([]);
});
