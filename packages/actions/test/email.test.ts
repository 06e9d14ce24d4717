import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { runActionForTest, createFakeServices } from '@cairn/action-sdk/testing';
import {
  createEmailAction,
  emailConfigSchema,
  verifyTrackingToken,
  messageIdFor,
} from '../src/index.js';
import { validateActionConfig } from '@cairn/action-sdk';

interface Delivered {
  from: string;
  to: string[];
  raw: string;
}

/** Decodes the quoted-printable body parts nodemailer writes, so assertions read like the mail. */
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

function part(raw: string, contentType: string): string {
  const boundaries = [...raw.matchAll(/boundary="?([^";\r\n]+)"?/g)].map((m) => m[1]!);
  const sections = boundaries.reduce<string[]>(
    (acc, b) => acc.flatMap((s) => s.split(`--${b}`)),
    [raw],
  );
  const section = sections.find((s) => s.includes(`Content-Type: ${contentType}`));
  if (!section) throw new Error(`no ${contentType} part in:\n${raw}`);
  const body = section
    .split(/\r?\n\r?\n/)
    .slice(1)
    .join('\n\n');
  // Bytes, not UTF-16 code units: decode as UTF-8 after undoing quoted-printable.
  return Buffer.from(decodeQuotedPrintable(body), 'latin1').toString('utf8');
}

describe('email@1 through a real SMTP server', () => {
  let server: SMTPServer;
  let port: number;
  const inbox: Delivered[] = [];
  /** Body bytes the server has read for the message in progress (it takes the message only at the final "."). */
  const receiving = { bytes: 0 };
  let refuseNext: string | undefined;
  const secret = 'tracking-secret-for-tests-0123456789';

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        receiving.bytes = 0;
        stream.on('data', (c: Buffer) => {
          chunks.push(c);
          receiving.bytes += c.length;
        });
        stream.on('end', () => {
          if (refuseNext) {
            const reason = refuseNext;
            refuseNext = undefined;
            callback(Object.assign(new Error(reason), { responseCode: 550 }));
            return;
          }
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('latin1'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    inbox.length = 0;
    refuseNext = undefined;
  });

  const action = () =>
    createEmailAction({
      smtp: { host: '127.0.0.1', port },
      from: 'Acme <hello@acme.test>',
      trackingBaseUrl: 'https://t.acme.test/',
      trackingSecret: secret,
    });

  const config = {
    subject: 'Welcome, {{ contact.traits.firstName }}!',
    html: '<html><body><h1>Hi {{ contact.traits.firstName }}</h1><p>See <a href="https://shop.acme.test/new?ref=mail&amp;c={{ contact.id }}">new arrivals</a> or <a href="mailto:help@acme.test">write us</a>.</p></body></html>',
  };
  const contact = {
    id: 'c-42',
    traits: { email: 'ada@example.com', firstName: 'Ada <script>alert(1)</script>' },
  };

  it('delivers a tracked, escaped message with a text part and unsubscribe headers', async () => {
    const run = await runActionForTest(action(), config, {
      contact,
      journey: { id: 'j-welcome', nodeId: 'n-email' },
      idempotencyKey: 'wf-j-welcome-c-42/run-1/n-email',
      workspaceId: 'ws-1',
    });
    expect(run.output).toBe('sent');
    expect(inbox).toHaveLength(1);
    const mail = inbox[0]!;
    expect(mail.to).toEqual(['ada@example.com']);
    expect(mail.from).toBe('hello@acme.test');

    // Subject is plain text, so the trait arrives verbatim (nodemailer may encode it as a MIME word).
    const subject = header(mail.raw, 'Subject') ?? '';
    expect(subject).toContain('Welcome, Ada');
    expect(header(mail.raw, 'Message-ID')).toBe(messageIdFor('wf-j-welcome-c-42/run-1/n-email'));
    expect(header(mail.raw, 'Message-ID')).toMatch(/^<wf-j-welcome-c-42\/run-1\/n-email@cairn>$/);

    const html = part(mail.raw, 'text/html');
    expect(html).toContain('Hi Ada &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');

    // Tracked click: the link goes through /t/c/<token> and the token names the original URL.
    const clickTokens = [...html.matchAll(/href="https:\/\/t\.acme\.test\/t\/c\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(clickTokens).toHaveLength(1);
    expect(verifyTrackingToken(clickTokens[0]!, secret)).toEqual({
      workspace: 'ws-1',
      contactId: 'c-42',
      journeyId: 'j-welcome',
      nodeId: 'n-email',
      messageId: 'wf-j-welcome-c-42/run-1/n-email',
      url: 'https://shop.acme.test/new?ref=mail&c=c-42',
    });
    expect(html).toContain('href="mailto:help@acme.test"');
    expect(html).not.toContain('href="https://shop.acme.test');

    const pixel = html.match(/<img src="https:\/\/t\.acme\.test\/t\/o\/([^"]+)\.gif"/);
    expect(pixel).not.toBeNull();
    expect(verifyTrackingToken(pixel![1]!, secret)).toMatchObject({
      contactId: 'c-42',
      messageId: 'wf-j-welcome-c-42/run-1/n-email',
    });
    expect(verifyTrackingToken(pixel![1]!, 'another-secret')).toBeUndefined();

    const listUnsubscribe = header(mail.raw, 'List-Unsubscribe') ?? '';
    const unsubscribe = listUnsubscribe.match(/^<(https:\/\/t\.acme\.test\/t\/u\/[^>]+)>$/);
    expect(unsubscribe).not.toBeNull();
    expect(header(mail.raw, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(html).toContain(`href="${unsubscribe![1]}"`);

    const text = part(mail.raw, 'text/plain');
    expect(text).toContain('Hi Ada <script>alert(1)</script>');
    expect(text).toContain('new arrivals (https://shop.acme.test/new?ref=mail&c=c-42)');
    expect(text).toContain(`Unsubscribe: ${unsubscribe![1]}`);

    expect(run.services.events).toEqual([
      {
        contactId: 'c-42',
        event: {
          event: 'Email Sent',
          messageId: 'wf-j-welcome-c-42/run-1/n-email',
          properties: expect.objectContaining({
            journeyId: 'j-welcome',
            nodeId: 'n-email',
            to: 'ada@example.com',
          }),
        },
      },
    ]);
  });

  it('sends as the step, else the workspace sender, else CAIRN_EMAIL_FROM', async () => {
    const workspace = { sender: { name: 'Acme Team', address: 'team@acme.test' } };
    await runActionForTest(action(), config, { contact, workspace });
    await runActionForTest(
      action(),
      { ...config, from: 'Ops <ops@acme.test>' },
      { contact, workspace },
    );
    await runActionForTest(action(), config, { contact });
    expect(inbox.map((m) => header(m.raw, 'From'))).toEqual([
      'Acme Team <team@acme.test>',
      'Ops <ops@acme.test>',
      'Acme <hello@acme.test>',
    ]);
  });

  it("sends through the workspace sender's SMTP credential instead of the worker's server", async () => {
    // The worker's own server is unreachable: only the credential's server can take the message.
    const viaCredential = createEmailAction({
      smtp: { host: '127.0.0.1', port: 1 },
      from: 'Acme <hello@acme.test>',
      trackingBaseUrl: 'https://t.acme.test/',
      trackingSecret: secret,
    });
    const run = await runActionForTest(viaCredential, config, {
      contact,
      workspace: { sender: { address: 'team@acme.test', credential: 'smtp-main' } },
      credentials: { 'smtp-main': { host: '127.0.0.1', port: String(port) } },
    });
    expect(run.output).toBe('sent');
    expect(inbox.map((m) => m.from)).toEqual(['team@acme.test']);
    await expect(
      runActionForTest(viaCredential, config, {
        contact,
        workspace: { sender: { address: 'team@acme.test', credential: 'smtp-main' } },
        credentials: { 'smtp-main': { port: '25' } },
      }),
    ).rejects.toThrow(/credential "smtp-main" is not usable: values.host is required/);
  });

  it('uses the text template when given one', async () => {
    await runActionForTest(
      action(),
      { ...config, text: 'Hello {{ contact.traits.firstName }}, plain and simple.' },
      { contact },
    );
    expect(part(inbox[0]!.raw, 'text/plain')).toContain(
      'Hello Ada <script>alert(1)</script>, plain and simple.',
    );
  });

  it('sends nothing to an unsubscribed contact', async () => {
    const services = createFakeServices();
    services.unsubscribe('c-42', 'email');
    const run = await runActionForTest(action(), config, { contact, services });
    expect(run.output).toBe('skipped');
    expect(run.result).toEqual({ reason: 'unsubscribed from email' });
    expect(inbox).toHaveLength(0);
    expect(services.events).toHaveLength(0);
  });

  it('skips a contact without an email address', async () => {
    const run = await runActionForTest(action(), config, {
      contact: { id: 'c-1', traits: { firstName: 'Bo' } },
    });
    expect(run.output).toBe('skipped');
    expect(inbox).toHaveLength(0);
  });

  it('refuses file-system includes in templates', async () => {
    await expect(
      runActionForTest(action(), { ...config, html: '{% include "package.json" %}' }, { contact }),
    ).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringMatching(/^html: template error/),
    });
    expect(inbox).toHaveLength(0);
  });

  it('stores "sent" only once the server has taken the message', async () => {
    const services = createFakeServices();
    const inboxAtRecord: number[] = [];
    services.recordOutcome = async (outcome) => {
      expect(outcome.output).toBe('sent');
      inboxAtRecord.push(inbox.length);
    };
    const run = await runActionForTest(action(), config, { contact, services });
    expect(run.output).toBe('sent');
    expect(inboxAtRecord).toEqual([1]);
    expect(inbox).toHaveLength(1);
  });

  it('stores nothing when the server refuses the message, and fails for good on a 5xx', async () => {
    const services = createFakeServices();
    const calls: string[] = [];
    services.recordOutcome = async () => void calls.push('record');
    refuseNext = 'mailbox unavailable';
    await expect(runActionForTest(action(), config, { contact, services })).rejects.toMatchObject({
      kind: 'permanent',
      message: expect.stringContaining('mailbox unavailable'),
    });
    expect(calls).toEqual([]);
    expect(inbox).toHaveLength(0);
    expect(services.events).toHaveLength(0);
  });

  it('reports an unreachable SMTP server as retryable', async () => {
    const down = createEmailAction({
      smtp: { host: '127.0.0.1', port: 1 },
      from: 'a@acme.test',
      trackingBaseUrl: 'https://t.acme.test',
      trackingSecret: secret,
    });
    await expect(runActionForTest(down, config, { contact })).rejects.toMatchObject({
      kind: 'retryable',
    });
  });

  describe('a step pinned to a saved template', () => {
    const saved = (version: number, subject: string) => ({
      id: 'tpl_welcome',
      version,
      name: 'Welcome',
      channel: 'email',
      subject,
      html: `<p>Version ${version} for {{ contact.traits.firstName }}</p>`,
    });
    const services = () =>
      createFakeServices({
        contacts: [{ id: 'c-42', traits: contact.traits, profile: {} }],
        templates: [saved(1, 'V1 for {{ contact.id }}'), saved(2, 'V2 for {{ contact.id }}')],
      });

    it('sends the pinned version rendered like inline content and names it on Email Sent', async () => {
      const run = await runActionForTest(
        action(),
        { template: { id: 'tpl_welcome', version: 1 } },
        { contact, services: services(), idempotencyKey: 'k-pinned' },
      );
      expect(run.output).toBe('sent');
      expect(header(inbox[0]!.raw, 'Subject')).toBe('V1 for c-42');
      const html = part(inbox[0]!.raw, 'text/html');
      expect(html).toContain('<p>Version 1 for Ada &lt;script&gt;alert(1)&lt;/script&gt;</p>');
      expect(run.services.events[0]?.event.properties).toMatchObject({
        subject: 'V1 for c-42',
        templateId: 'tpl_welcome',
        templateVersion: 1,
      });
    });

    it('fails for good, naming the field, when the version does not exist', async () => {
      await expect(
        runActionForTest(
          action(),
          { template: { id: 'tpl_welcome', version: 7 } },
          { contact, services: services() },
        ),
      ).rejects.toThrow('template: no version 7 of template "tpl_welcome"');
      expect(inbox).toHaveLength(0);
    });

    it('names the fields of the shape the config was written for', () => {
      const email = action();
      const problems = (config: unknown) =>
        validateActionConfig(email, config).map((p) => `${p.path}: ${p.message}`);
      expect(problems({})).toEqual([
        'subject: is required: write the subject line (Liquid allowed), or pick a template',
        'html: is required: write the HTML body (Liquid allowed), or pick a template',
      ]);
      expect(problems({ subject: 'Hi' })).toEqual([
        'html: is required: write the HTML body (Liquid allowed), or pick a template',
      ]);
      expect(problems({ template: { id: 'tpl_welcome', version: 0 } })).toEqual([
        'template.version: must be ≥ 1: versions start at 1',
      ]);
      expect(
        problems({ template: { id: 'tpl_welcome', version: 1 }, subject: 'Hi', html: '<p/>' }),
      ).toEqual([expect.stringMatching(/^template: a step sends either a saved template or/)]);
      expect(emailConfigSchema.safeParse({ subject: 'Hi', html: '<p>Hi</p>' }).success).toBe(true);
    });
  });
});

describe('messageIdFor', () => {
  it('keeps distinct keys distinct while producing a valid Message-ID', () => {
    expect(messageIdFor('a:b')).toBe('<a=3Ab@cairn>');
    expect(messageIdFor('a=3Ab')).not.toBe(messageIdFor('a:b'));
  });
});
