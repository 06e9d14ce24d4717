import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ActionRegistry, assertLosslessJsonSchema } from '@cairn/action-sdk';
import { runActionForTest } from '@cairn/action-sdk/testing';
import { slackMessage, actions } from '../src/index.js';

describe('slackMessage@1', () => {
  let server: http.Server;
  let webhookUrl: string;
  const posts: { body: unknown; idempotencyKey: unknown }[] = [];
  let status = 200;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        posts.push({
          body: JSON.parse(raw),
          idempotencyKey: req.headers['x-cairn-idempotency-key'],
        });
        res.writeHead(status);
        res.end(status === 200 ? 'ok' : 'no_service');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXX`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    posts.length = 0;
    status = 200;
  });

  const contact = { id: 'c1', traits: { email: 'ada@example.com', company: 'Smith & <Sons>' } };

  it('posts the rendered text, with contact data escaped for Slack', async () => {
    const run = await runActionForTest(
      slackMessage,
      { text: 'New VIP: {{ contact.traits.email }} at {{ contact.traits.company }}' },
      {
        contact,
        credentials: { slack: { webhookUrl } },
        idempotencyKey: 'k-1',
      },
    );
    expect(run.output).toBe('posted');
    expect(posts).toEqual([
      {
        body: { text: 'New VIP: ada@example.com at Smith &amp; &lt;Sons&gt;' },
        idempotencyKey: 'k-1',
      },
    ]);
  });

  it('reads the webhook from the credential named in config', async () => {
    await runActionForTest(
      slackMessage,
      { text: 'hi', credential: 'slack-sales' },
      { contact, credentials: { 'slack-sales': { webhookUrl } } },
    );
    expect(posts).toHaveLength(1);
  });

  it('fails permanently when the credential is missing', async () => {
    await expect(runActionForTest(slackMessage, { text: 'hi' }, { contact })).rejects.toMatchObject(
      { kind: 'permanent' },
    );
    expect(posts).toHaveLength(0);
  });

  it('asks for a retry when Slack has a 5xx', async () => {
    status = 503;
    await expect(
      runActionForTest(
        slackMessage,
        { text: 'hi' },
        { contact, credentials: { slack: { webhookUrl } } },
      ),
    ).rejects.toMatchObject({
      kind: 'retryable',
      message: 'Slack answered HTTP 503: no_service',
    });
  });

  it('fails permanently when Slack rejects the webhook', async () => {
    status = 404;
    await expect(
      runActionForTest(
        slackMessage,
        { text: 'hi' },
        { contact, credentials: { slack: { webhookUrl } } },
      ),
    ).rejects.toMatchObject({
      kind: 'permanent',
    });
  });

  it('is a valid action package with a form-friendly schema', () => {
    expect(() => assertLosslessJsonSchema(slackMessage)).not.toThrow();
    const registry = new ActionRegistry();
    registry.loadActionPackages(['@cairn/example-slack-action'], () => ({ default: actions }));
    expect(registry.get('slackMessage', 1).outputs.map((o) => o.name)).toEqual(['posted']);
  });
});
