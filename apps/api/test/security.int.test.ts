import { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import pino from 'pino';
import { createApiKey } from '@cairn/db';
import { startApi, type RunningApi } from './harness';

// Key scopes (a write key gets 403 on every /api/v1 route, generated from the route table) are proven in
// isolation.int.test.ts, "refuses every management route without a key (401) and with a write key (403)".

async function gzipStream(pieces: string[]): Promise<Buffer> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  for (const piece of pieces)
    if (!gzip.write(piece)) await new Promise((r) => gzip.once('drain', r));
  gzip.end();
  await done;
  return Buffer.concat(out);
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const track = (userId: string) => ({ userId, event: 'Page Viewed', properties: { path: '/' } });

async function problem(
  res: Response,
): Promise<{ status: number; detail: string; errors?: { path: string }[] }> {
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  return (await res.json()) as { status: number; detail: string; errors?: { path: string }[] };
}

describe('rate limits per key', () => {
  let api: RunningApi;
  let ws: Awaited<ReturnType<RunningApi['workspace']>>;
  let secondWriteKey: string;
  let secondAdminKey: string;

  beforeAll(async () => {
    api = await startApi({
      env: { CAIRN_RATE_LIMIT_INGEST_PER_MINUTE: '5', CAIRN_RATE_LIMIT_API_PER_MINUTE: '4' },
    });
    ws = await api.workspace();
    secondWriteKey = await createApiKey(
      api.db.connection,
      ws.workspace._id,
      'write',
      'Second write key',
    );
    secondAdminKey = await createApiKey(
      api.db.connection,
      ws.workspace._id,
      'admin',
      'Second admin key',
    );
  });
  afterAll(async () => api.close());

  it('answers 429 to the key over its limit while another key of the same workspace goes on', async () => {
    for (let i = 0; i < 5; i++) {
      const ok = await api.ingest(ws.writeKey, '/v1/track', track(`rl-${i}`));
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-policy')).toMatch(/q=5; w=60/);
      expect(ok.headers.get('ratelimit')).toMatch(new RegExp(`r=${4 - i};`));
    }
    const refused = await api.ingest(ws.writeKey, '/v1/track', track('rl-over'));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = await problem(refused);
    const keyId = ws.writeKey.split('_').slice(0, 2).join('_');
    expect(body.detail).toContain(`key ${keyId}_…`);
    expect(body.detail).toContain('more than 5 requests in a minute to ingestion (/v1)');
    expect(body.detail).toContain('CAIRN_RATE_LIMIT_INGEST_PER_MINUTE');
    // The secret is everything after the id (base64url: it may hold '_' itself).
    expect(body.detail).not.toContain(ws.writeKey.split('_').slice(2).join('_'));

    // The same workspace, another key: its own budget.
    expect((await api.ingest(secondWriteKey, '/v1/track', track('rl-other'))).status).toBe(200);
    // The refused event was not stored.
    expect((await api.admin(ws.adminKey, '/api/v1/contacts/rl-over')).status).toBe(404);
    expect((await api.admin(ws.adminKey, '/api/v1/contacts/rl-other')).status).toBe(200);
  });

  it('limits the management API per admin key, separately from ingestion', async () => {
    const busyAdminKey = await createApiKey(
      api.db.connection,
      ws.workspace._id,
      'admin',
      'Busy admin key',
    );
    for (let i = 0; i < 4; i++)
      expect((await api.admin(busyAdminKey, '/api/v1/me')).status).toBe(200);
    const refused = await api.admin(busyAdminKey, '/api/v1/me');
    expect(refused.status).toBe(429);
    expect((await problem(refused)).detail).toContain('CAIRN_RATE_LIMIT_API_PER_MINUTE');
    expect((await api.admin(secondAdminKey, '/api/v1/me')).status).toBe(200);
  });

  it('counts requests without a key by client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push(
        (
          await api.fetch('/v1/track', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{}',
          })
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // A keyed caller from the same address is not affected by the anonymous flood.
    expect((await api.ingest(secondWriteKey, '/v1/track', track('rl-keyed'))).status).toBe(200);
  });
});

describe('limits on bodies', () => {
  let api: RunningApi;
  let ws: Awaited<ReturnType<RunningApi['workspace']>>;

  beforeAll(async () => {
    api = await startApi();
    ws = await api.workspace();
  });
  afterAll(async () => api.close());

  const padded = (bytes: number) => ({
    userId: 'big',
    event: 'Big',
    properties: { pad: 'x'.repeat(bytes) },
  });

  it('refuses a single call over 32 KB and a batch over 500 KB with a 413 that names the limit', async () => {
    const single = await api.ingest(ws.writeKey, '/v1/track', padded(33 * 1024));
    expect(single.status).toBe(413);
    expect((await problem(single)).detail).toMatch(/exceeds the 32768 byte limit/);
    const batch = await api.ingest(ws.writeKey, '/v1/batch', { batch: [padded(501 * 1024)] });
    expect(batch.status).toBe(413);
    expect((await problem(batch)).detail).toMatch(/exceeds the 512000 byte limit/);
    // Just under the limit still passes.
    expect((await api.ingest(ws.writeKey, '/v1/track', padded(30 * 1024))).status).toBe(200);
  });

  it('refuses a management body over 2 MB', async () => {
    const res = await api.admin(ws.adminKey, '/api/v1/segments', {
      body: { name: 'x'.repeat(2 * 1024 * 1024 + 10), definition: { type: 'all', conditions: [] } },
    });
    expect(res.status).toBe(413);
    expect((await problem(res)).detail).toMatch(/exceeds the 2097152 byte limit/);
  });

  it('refuses gzip bombs by their inflated size, without inflating them into memory', async () => {
    // ~200 MB of JSON that gzips to a few hundred KB, compressed piece by piece so the test itself stays small.
    const bomb = await gzipStream([
      '{"userId":"bomb","event":"Bomb","properties":{"pad":"',
      ...Array<string>(200).fill('a'.repeat(1024 * 1024)),
      '"}}',
    ]);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    global.gc?.();
    const before = process.memoryUsage().rss;
    for (const [path, auth] of [
      ['/v1/track', basic(ws.writeKey)],
      ['/v1/batch', basic(ws.writeKey)],
      ['/api/v1/segments', `Bearer ${ws.adminKey}`],
    ] as const) {
      const res = await api.fetch(path, {
        method: 'POST',
        headers: {
          authorization: auth,
          'content-type': 'application/json',
          'content-encoding': 'gzip',
        },
        body: bomb,
      });
      expect(res.status).toBe(413);
      expect((await problem(res)).detail).toMatch(/byte limit/);
    }
    // The API runs in this process: had it inflated 200 MB (let alone three times) the growth would show.
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 1024 * 1024);
    expect((await api.fetch('/healthz')).status).toBe(200);
  });

  it('refuses an import line that inflates past the per-line limit, and keeps the good lines', async () => {
    const good = JSON.stringify({ type: 'identify', userId: 'import-ok', traits: { plan: 'pro' } });
    const body = await gzipStream([
      `${good}\n{"userId":"x","traits":{"pad":"`,
      ...Array<string>(64).fill('a'.repeat(1024 * 1024)),
      '"}}\n',
    ]);
    const res = await api.fetch('/api/v1/imports', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ws.adminKey}`,
        'content-type': 'application/x-ndjson',
        'content-encoding': 'gzip',
      },
      body,
    });
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const last = lines[lines.length - 1]!;
    expect(last).toMatchObject({ type: 'done', accepted: 1, rejected: 1 });
    expect(JSON.stringify(last.errors)).toMatch(/row.*2.*longer than 1048576 bytes/);
    expect((await api.admin(ws.adminKey, '/api/v1/contacts/import-ok')).status).toBe(200);
  });
});

describe('logs and secrets', () => {
  it('never writes keys, authorization headers, credential values or passwords to the log', async () => {
    const chunks: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    const api = await startApi({
      env: { CAIRN_SECRET_KEY: 'redaction-test-secret-redaction-test-secret' },
      logger: pino({ level: 'trace' }, sink),
    });
    try {
      const ws = await api.workspace();
      const credentialSecret = 'credential-value-7f3a9c1e5b';
      const password = 'hunter2-password-value-81d4';
      const sessionToken = 'session-token-value-5e2b77';
      await api.ingest(ws.writeKey, '/v1/identify', {
        userId: 'log-u1',
        traits: { email: 'log@example.com' },
      });
      await api.fetch('/v1/track', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ writeKey: ws.writeKey, ...track('log-u2') }),
      });
      await api.fetch('/v1/track', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${ws.writeKey}`,
          'x-api-key': ws.adminKey,
          'content-type': 'application/json',
        },
        body: JSON.stringify(track('log-u3')),
      });
      await api.admin(ws.adminKey, '/api/v1/me');
      expect(
        (
          await api.admin(ws.adminKey, '/api/v1/credentials', {
            body: { name: 'smtp-main', type: 'smtp', values: { password: credentialSecret } },
          })
        ).status,
      ).toBe(201);
      await api.admin(ws.adminKey, '/api/v1/credentials/smtp-main', {
        method: 'PUT',
        body: { type: 'smtp', values: { password: `${credentialSecret}-2` } },
      });
      // Bodies carrying passwords, to routes that exist and to ones that do not.
      await api.admin(ws.adminKey, '/api/v1/credentials', {
        body: { name: '1-invalid', type: 'smtp', values: { password } },
      });
      await api.fetch('/api/v1/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie: `cairn_session=${sessionToken}` },
        body: JSON.stringify({ email: 'a@example.com', password }),
      });
      await api.fetch('/api/v1/me', {
        headers: {
          authorization: `Bearer ${sessionToken}`,
          cookie: `cairn_session=${sessionToken}`,
        },
      });
      // A wrong key is a secret too (often a typo of a real one).
      await api.fetch('/api/v1/me', { headers: { authorization: `Bearer ${ws.adminKey}x` } });
      await new Promise((r) => setTimeout(r, 50));

      const log = chunks.join('');
      // The log is not empty and did see these requests, so the absence below means something.
      expect(log).toContain('/api/v1/credentials');
      expect(log).toContain('[redacted]');
      // The secret is everything after the id (base64url: it may hold '_' itself).
      const writeSecret = ws.writeKey.split('_').slice(2).join('_');
      const adminSecret = ws.adminKey.split('_').slice(2).join('_');
      for (const secret of [
        ws.writeKey,
        ws.adminKey,
        writeSecret!,
        adminSecret!,
        Buffer.from(`${ws.writeKey}:`).toString('base64'),
        credentialSecret,
        password,
        sessionToken,
      ]) {
        expect({ secret, found: log.includes(secret) }).toEqual({ secret, found: false });
      }
    } finally {
      await api.close();
    }
  });
});
