import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runActionForTest } from '@cairn/action-sdk/testing';
import { createWebhookAction } from '../src/index.js';

/**
 * The webhook action must never become a way to reach the worker's own network: every spelling of a
 * private address is refused before a byte is sent, host names are checked on the address they resolve
 * to, and redirects are not followed. A receiver on 127.0.0.1 stands in for an internal service.
 */
describe('webhook SSRF guard', () => {
  let internal: http.Server;
  let port: number;
  const hits: string[] = [];

  beforeAll(async () => {
    internal = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      if (req.url?.startsWith('/redirect')) {
        res.writeHead(302, { location: `http://127.0.0.1:${port}/internal-after-redirect` });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"secret":"internal"}');
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    port = (internal.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => internal.close(() => resolve())));
  beforeEach(() => {
    hits.length = 0;
  });

  const guarded = () => createWebhookAction();
  const contact = { id: 'c-1', traits: { email: 'ada@example.com' } };

  it.each([
    ['loopback', (p: number) => `http://127.0.0.1:${p}/x`, /loopback/],
    ['decimal IPv4', (p: number) => `http://2130706433:${p}/x`, /loopback/],
    ['octal IPv4', (p: number) => `http://0177.0.0.1:${p}/x`, /loopback/],
    ['hex IPv4', (p: number) => `http://0x7f000001:${p}/x`, /loopback/],
    ['short IPv4', (p: number) => `http://127.1:${p}/x`, /loopback/],
    ['percent-encoded IPv4', (p: number) => `http://%31%32%37.0.0.1:${p}/x`, /loopback/],
    ['unspecified 0.0.0.0', (p: number) => `http://0.0.0.0:${p}/x`, /unspecified/],
    ['bare 0', (p: number) => `http://0:${p}/x`, /unspecified/],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/x`, /loopback/],
    ['IPv6 unspecified', (p: number) => `http://[::]:${p}/x`, /unspecified/],
    ['IPv4-mapped IPv6', (p: number) => `http://[::ffff:127.0.0.1]:${p}/x`, /IPv4-mapped loopback/],
    [
      'IPv4-mapped IPv6, long form',
      (p: number) => `http://[0:0:0:0:0:ffff:7f00:1]:${p}/x`,
      /IPv4-mapped loopback/,
    ],
    ['private 10/8', () => 'http://10.0.0.8/x', /private/],
    ['private 172.16/12', () => 'http://172.20.1.1/x', /private/],
    ['private 192.168/16', () => 'http://192.168.0.1/x', /private/],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/iam', /link-local/],
    [
      'cloud metadata, IPv4-mapped',
      () => 'http://[::ffff:169.254.169.254]/latest',
      /IPv4-mapped link-local/,
    ],
    ['carrier-grade NAT', () => 'http://100.64.0.1/x', /carrier-grade NAT/],
  ])('refuses %s before sending anything', async (_what, url, reason) => {
    const run = await runActionForTest(guarded(), { url: url(port) }, { contact });
    expect(run.output).toBe('failed');
    expect(run.result).toEqual({ error: expect.stringMatching(reason) });
    expect(hits).toEqual([]);
  });

  // Only names every machine resolves the same way (via /etc/hosts); a DNS answer is checked by the same hook.
  it.each(['localhost', 'LOCALHOST'])(
    'refuses the host name %s because it resolves to loopback',
    async (host) => {
      const run = await runActionForTest(
        guarded(),
        { url: `http://${host}:${port}/x` },
        { contact },
      );
      expect(run.output).toBe('failed');
      expect(JSON.stringify(run.result)).toMatch(
        /refused localhost: it resolves to (127\.0\.0\.1|::1), a loopback address/i,
      );
      // A refused address is final: the step answers "failed" rather than throwing, so Temporal does not retry.
      expect(hits).toEqual([]);
    },
  );

  it('checks the URL after Liquid renders it, so contact data cannot steer it inside', async () => {
    const run = await runActionForTest(
      guarded(),
      { url: 'http://{{ contact.traits.host }}/latest/meta-data' },
      { contact: { id: 'c-2', traits: { host: '169.254.169.254' } } },
    );
    expect(run.output).toBe('failed');
    expect(run.result).toEqual({ error: expect.stringMatching(/link-local/) });
  });

  it('does not follow a redirect (a public receiver cannot bounce the request inside)', async () => {
    // 127.0.0.1 is allow-listed here to stand in for a public receiver; the redirect points at an internal path.
    const run = await runActionForTest(
      createWebhookAction({ allowHosts: ['127.0.0.1'] }),
      { url: `http://127.0.0.1:${port}/redirect`, method: 'GET' },
      { contact },
    );
    expect(run.result).toMatchObject({ status: 302 });
    expect(hits).toEqual(['/redirect']);
  });

  it('allow-lists by exact host only', async () => {
    const allowLocalhost = createWebhookAction({ allowHosts: ['localhost'] });
    const viaIp = await runActionForTest(
      allowLocalhost,
      { url: `http://127.0.0.1:${port}/x` },
      { contact },
    );
    expect(viaIp.result).toEqual({ error: expect.stringMatching(/loopback/) });
    const viaName = await runActionForTest(
      allowLocalhost,
      { url: `http://localhost:${port}/x`, method: 'GET' },
      { contact },
    );
    expect(viaName.output).toBe('ok');
    expect(hits).toEqual(['/x']);
  });
});
