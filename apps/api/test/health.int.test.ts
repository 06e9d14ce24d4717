import pino from 'pino';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('readiness while npm start restarts a crashed worker', () => {
  let api: RunningApi;
  const file = join(mkdtempSync(join(tmpdir(), 'cairn-readyz-')), 'processes.json');
  beforeAll(async () => {
    api = await startApi({ env: { CAIRN_SUPERVISOR_STATE_FILE: file } });
  });
  afterAll(async () => api.close());

  it('reports the worker as restarting, with its crash, and stays ready to ingest; ready again once it runs', async () => {
    // As scripts/supervise.mjs records it (stateFile()).
    const lastCrash = { at: new Date().toISOString(), exit: 'code 1', reason: 'Error: boom' };
    writeFileSync(
      file,
      JSON.stringify({
        api: { name: 'api', status: 'running', restarts: 0 },
        worker: { name: 'worker', status: 'restarting', restarts: 2, lastCrash },
      }),
    );
    const degraded = await api.fetch('/readyz');
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toEqual({
      status: 'degraded',
      checks: { mongodb: 'up', temporal: 'up', worker: 'restarting' },
      restarting: { worker: expect.objectContaining({ lastCrash }) },
      ingestion: expect.any(Object),
    });
    writeFileSync(
      file,
      JSON.stringify({ worker: { name: 'worker', status: 'running', restarts: 3 } }),
    );
    expect(await (await api.fetch('/readyz')).json()).toEqual({
      status: 'ready',
      checks: { mongodb: 'up', temporal: 'up' },
      ingestion: expect.any(Object),
    });
  });
});

describe('a request that throws', () => {
  let api: RunningApi;
  const lines: { level: number; msg: string; req?: { id?: string }; err?: { message?: string } }[] =
    [];
  beforeAll(async () => {
    const logger = pino(
      { level: 'error' },
      { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) },
    );
    api = await startApi({ logger });
    // A route that fails as a bug would, placed before the 404 and problem handlers (the last two layers).
    api.app.get('/test-throws', () => {
      throw new TypeError('something nobody expected');
    });
    const stack = (api.app as unknown as { router: { stack: unknown[] } }).router.stack;
    stack.splice(stack.length - 3, 0, stack.pop());
  });
  afterAll(async () => api.close());

  it('answers a 500 problem naming its request id, logs the error with that id, and goes on serving', async () => {
    const res = await api.fetch('/test-throws', { headers: { 'X-Request-Id': 'boom-1' } });
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { detail: string; instance: string };
    expect(body.instance).toBe('urn:request:boom-1');
    expect(body.detail).not.toMatch(/nobody expected/);
    expect(
      lines.find((l) => l.req?.id === 'boom-1' && l.err?.message === 'something nobody expected'),
    ).toBeDefined();
    expect((await api.fetch('/healthz')).status).toBe(200);
  });
});
