import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRetryableActionError } from '@cairn/action-sdk';
import { runActionForTest } from '@cairn/action-sdk/testing';
import { createWebhookAction, whyAddressIsBlocked } from '../src/index.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const secret = 'whsec_test_0123456789';

/** What a receiver would do: recompute the HMAC over "t.body" and compare in constant time. */
function signatureIsValid(header: string | undefined, body: string): boolean {
  const match = header?.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

describe('webhook@1', () => {
  let server: http.Server;
  let base: string;
  const received: Received[] = [];
  let respond: (req: Received) => { status: number; body?: string } = () => ({ status: 200 });

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
        received.push(r);
        const answer = respond(r);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body ?? '{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received.length = 0;
    respond = (r) =>
      signatureIsValid(r.headers['x-cairn-signature'] as string | undefined, r.body)
        ? { status: 200 }
        : { status: 401 };
  });

  const allowLocal = () => createWebhookAction({ allowHosts: ['127.0.0.1'] });
  const contact = { id: 'c-7', traits: { email: 'ada@example.com', plan: 'pro & more' } };

  it('sends a signed, templated body with the idempotency key', async () => {
    const run = await runActionForTest(
      allowLocal(),
      {
        url: `${base}/hooks/{{ contact.traits.plan }}`,
        headers: { 'X-Plan': '{{ contact.traits.plan }}' },
        body: '{"id":"{{ contact.id }}","plan":{{ contact.traits.plan | json }}}',
        signingSecretCredential: 'crm-signing',
      },
      { contact, credentials: { 'crm-signing': { secret } }, idempotencyKey: 'key-123' },
    );
    expect(run.output).toBe('ok');
    expect(run.result).toMatchObject({ status: 200, response: { ok: true } });
    expect(received).toHaveLength(1);
    const req = received[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hooks/pro%20%26%20more');
    expect(JSON.parse(req.body)).toEqual({ id: 'c-7', plan: 'pro & more' });
    expect(req.headers['x-plan']).toBe('pro & more');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-cairn-idempotency-key']).toBe('key-123');
    expect(signatureIsValid(req.headers['x-cairn-signature'] as string, req.body)).toBe(true);
  });

  it('a receiver rejects a body signed with another secret', async () => {
    const run = await runActionForTest(
      allowLocal(),
      { url: `${base}/hooks`, signingSecretCredential: 'other' },
      { contact, credentials: { other: { secret: 'not-the-shared-secret' } } },
    );
    expect(run.output).toBe('failed');
    expect(run.result).toMatchObject({ status: 401 });
  });

  // Temporal's activity retry policy is the only retry loop: a transient answer fails the attempt with a
  // retryable error after one request, and the next attempt (a new run of the step) sends the same key.
  it.each([
    [503, 'busy'],
    [429, 'slow down'],
    [408, 'took too long'],
  ])(
    'a %i sends one request and throws a retryable error naming the answer',
    async (status, body) => {
      respond = () => ({ status, body });
      const action = allowLocal();
      const attempt = () =>
        runActionForTest(action, { url: `${base}/flaky` }, { contact, idempotencyKey: 'key-9' });
      const error: unknown = await attempt().catch((e: unknown) => e);
      expect(isRetryableActionError(error)).toBe(true);
      expect((error as Error).message).toBe(`webhook: ${base}/flaky: HTTP ${status}`);
      expect(received).toHaveLength(1);

      respond = () => ({ status: 200 });
      const retried = await attempt();
      expect(retried.output).toBe('ok');
      expect(received).toHaveLength(2);
      // Every attempt carries the same key so the receiver can drop duplicates.
      expect(received.map((r) => r.headers['x-cairn-idempotency-key'])).toEqual(['key-9', 'key-9']);
    },
  );

  it('a connection refused is retryable and names the address', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/gone`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error: unknown = await runActionForTest(allowLocal(), { url }, { contact }).catch(
      (e: unknown) => e,
    );
    expect(isRetryableActionError(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^webhook: http:\/\/127\.0\.0\.1:\d+\/gone: .*ECONNREFUSED/,
    );
  });

  it('does not retry a 4xx: one request, then "failed" with the answer', async () => {
    respond = () => ({ status: 422, body: '{"error":"bad plan"}' });
    const run = await runActionForTest(allowLocal(), { url: `${base}/strict` }, { contact });
    expect(run.output).toBe('failed');
    expect(run.result).toEqual({ status: 422, error: 'HTTP 422', response: { error: 'bad plan' } });
    expect(received).toHaveLength(1);
  });

  it('a receiver that does not answer within timeoutMs fails the attempt as retryable', async () => {
    const slow = http.createServer(() => undefined);
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(slow.address() as AddressInfo).port}/`;
      const started = Date.now();
      const error: unknown = await runActionForTest(
        allowLocal(),
        { url, timeoutMs: 150 },
        { contact },
      ).catch((e: unknown) => e);
      expect(isRetryableActionError(error)).toBe(true);
      expect((error as Error).message).toMatch(/timed out after 150 ms$/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      slow.closeAllConnections();
      await new Promise<void>((resolve) => slow.close(() => resolve()));
    }
  });

  describe('SSRF guard', () => {
    const guarded = () => createWebhookAction();

    it.each([
      ['http://127.0.0.1:9/x', /loopback/],
      ['http://10.1.2.3/x', /private/],
      ['http://169.254.169.254/latest/meta-data', /link-local/],
      ['http://[::1]/x', /loopback/],
      ['http://[::ffff:127.0.0.1]/x', /IPv4-mapped loopback/],
      ['http://[fd00::1]/x', /unique-local/],
    ])('refuses %s without sending', async (url, reason) => {
      const run = await runActionForTest(guarded(), { url }, { contact });
      expect(run.output).toBe('failed');
      expect(run.result).toEqual({ error: expect.stringMatching(reason) });
    });

    it('refuses a host name that resolves to loopback', async () => {
      const port = (server.address() as AddressInfo).port;
      const run = await runActionForTest(
        guarded(),
        { url: `http://localhost:${port}/x` },
        { contact },
      );
      expect(run.output).toBe('failed');
      expect(run.result).toEqual({
        error: expect.stringMatching(/refused localhost: it resolves to .*loopback/),
      });
      expect(received).toHaveLength(0);
    });

    it('lets an allow-listed host through', async () => {
      respond = () => ({ status: 200 });
      const run = await runActionForTest(
        allowLocal(),
        { url: `${base}/allowed`, method: 'GET' },
        { contact },
      );
      expect(run.output).toBe('ok');
      expect(received[0]?.method).toBe('GET');
      expect(received[0]?.body).toBe('');
    });

    it.each([
      ['8.8.8.8', undefined],
      ['2606:4700::1111', undefined],
      ['172.16.0.1', 'a private address'],
      ['172.32.0.1', undefined],
      ['192.168.1.1', 'a private address'],
      ['224.0.0.1', 'a multicast address'],
      ['fe80::1', 'a link-local address'],
      ['ff02::1', 'a multicast address'],
      ['::ffff:10.0.0.1', 'an IPv4-mapped private address'],
      ['::ffff:a00:1', 'an IPv4-mapped private address'],
      ['::ffff:8.8.8.8', undefined],
      ['64:ff9b::a9fe:a9fe', 'a NAT64 link-local address (cloud metadata lives here)'],
      ['0.0.0.0', 'an unspecified ("this network") address'],
      ['::', 'an unspecified address'],
    ])('classifies %s', (ip, expected) => {
      expect(whyAddressIsBlocked(ip)).toBe(expected);
    });
  });
});
