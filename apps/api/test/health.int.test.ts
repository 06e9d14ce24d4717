import { startApi, type RunningApi } from './harness';

describe('health and readiness', () => {
  let api: RunningApi;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(async () => api.close());

  it('answers /healthz and /readyz when MongoDB and Temporal are reachable', async () => {
    expect((await api.fetch('/healthz')).status).toBe(200);
    const ready = await api.fetch('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { mongodb: 'up', temporal: 'up' },
      // Nothing was sent, so nothing waits to be folded.
      ingestion: { unfoldedEvents: 0, foldLagMs: 0, queuedHere: 0, oldestQueuedHereMs: 0 },
    });
  });

  it('answers unknown routes with problem+json and a request id', async () => {
    const res = await api.fetch('/no/such/route', { headers: { 'X-Request-Id': 'req-123' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.headers.get('x-request-id')).toBe('req-123');
    const body = (await res.json()) as { status: number; detail: string; instance: string };
    expect(body.status).toBe(404);
    expect(body.detail).toContain('/no/such/route');
    expect(body.instance).toBe('urn:request:req-123');
  });
});

describe('readiness when Temporal is down', () => {
  let api: RunningApi;
  beforeAll(async () => {
    // Nothing listens on port 1: Temporal is "down" while the database is up.
    api = await startApi({ temporalAddress: '127.0.0.1:1' });
  });
  afterAll(async () => api.close());

  it('answers 503 naming the dependency that is down', async () => {
    const res = await api.fetch('/readyz');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    const body = (await res.json()) as { detail: string; checks: Record<string, string> };
    expect(body.checks).toEqual({ mongodb: 'up', temporal: 'down' });
    expect(body.detail).toMatch(/temporal/);
  });
});
