import { createServer } from 'node:net';
import { startApi, type RunningApi } from './harness';

interface Problem {
  status: number;
  detail: string;
  errors?: { path: string; message: string; line?: number }[];
}
interface TemplateView {
  id: string;
  version: number;
  name: string;
  channel: string;
  subject?: string;
  html?: string;
}

describe('message templates on the real stack', () => {
  let api: RunningApi;
  let a: { writeKey: string; adminKey: string; workspace: { _id: string } };
  let b: { adminKey: string };
  beforeAll(async () => {
    api = await startApi();
    a = await api.workspace('A');
    b = await api.workspace('B');
  });
  afterAll(async () => api.close());

  const welcome = {
    name: 'Welcome',
    channel: 'email',
    subject: 'Hi {{ contact.traits.firstName }}',
    html: '<p>Hello {{ contact.traits.firstName }}</p>',
  };

  async function create(body: unknown = welcome): Promise<TemplateView> {
    const res = await api.admin(a.adminKey, '/api/v1/templates', { body });
    expect(res.status).toBe(201);
    return (await res.json()) as TemplateView;
  }

  it('creates version 1, makes version n+1 on every save and keeps old versions readable', async () => {
    const created = await create();
    expect(created.version).toBe(1);
    const saved = await api.admin(a.adminKey, `/api/v1/templates/${created.id}`, {
      method: 'PUT',
      body: { ...welcome, subject: 'Welcome aboard, {{ contact.traits.firstName }}' },
    });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as TemplateView).version).toBe(2);

    const v1 = (await (
      await api.admin(a.adminKey, `/api/v1/templates/${created.id}/versions/1`)
    ).json()) as TemplateView;
    expect(v1.subject).toBe(welcome.subject);
    const head = (await (
      await api.admin(a.adminKey, `/api/v1/templates/${created.id}`)
    ).json()) as TemplateView;
    expect(head).toMatchObject({
      version: 2,
      subject: 'Welcome aboard, {{ contact.traits.firstName }}',
    });
    const versions = (await (
      await api.admin(a.adminKey, `/api/v1/templates/${created.id}/versions`)
    ).json()) as { versions: { version: number }[] };
    expect(versions.versions.map((v) => v.version)).toEqual([2, 1]);
    expect((await api.admin(a.adminKey, `/api/v1/templates/${created.id}/versions/3`)).status).toBe(
      404,
    );

    const list = (await (
      await api.admin(a.adminKey, '/api/v1/templates?channel=email')
    ).json()) as { templates: TemplateView[] };
    expect(list.templates.map((t) => t.id)).toContain(created.id);
  });

  it('refuses a save from a stale editor with 409 naming the current version', async () => {
    const created = await create();
    await api.admin(a.adminKey, `/api/v1/templates/${created.id}`, {
      method: 'PUT',
      body: { ...welcome, baseVersion: 1 },
    });
    const stale = await api.admin(a.adminKey, `/api/v1/templates/${created.id}`, {
      method: 'PUT',
      body: { ...welcome, subject: 'late', baseVersion: 1 },
    });
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as Problem).detail).toMatch(/version 2/);
  });

  it('names the field and the fix for invalid bodies, and the line of a Liquid error', async () => {
    const missing = await api.admin(a.adminKey, '/api/v1/templates', {
      body: { name: 'x', channel: 'email', subject: 'Hi' },
    });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as Problem).errors?.map((e) => e.path)).toContain('html');

    const channel = await api.admin(a.adminKey, '/api/v1/templates', {
      body: { name: 'x', channel: 'fax' },
    });
    expect(channel.status).toBe(400);
    expect(((await channel.json()) as Problem).errors?.[0]?.path).toBe('channel');

    const broken = await api.admin(a.adminKey, '/api/v1/templates', {
      body: { ...welcome, html: '<p>Hi</p>\n{% if contact.traits.vip %}\n<b>VIP</b>' },
    });
    expect(broken.status).toBe(422);
    const problem = (await broken.json()) as Problem;
    expect(problem.errors?.[0]).toMatchObject({ path: 'html', line: 2 });
    expect(problem.errors?.[0]?.message).toMatch(/^line 2, column 1: .*not closed/);
  });

  it('previews with the send-time engine: HTML-escaped traits in html, plain subject', async () => {
    const res = await api.admin(a.adminKey, '/api/v1/templates/preview', {
      body: {
        template: welcome,
        sampleContact: { traits: { firstName: '<script>alert("x")</script>' } },
      },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rendered: { subject: string; html: string } };
    expect(body.rendered.html).toBe('<p>Hello &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</p>');
    expect(body.rendered.html).not.toContain('<script>');
    expect(body.rendered.subject).toBe('Hi <script>alert("x")</script>');
  });

  it('previews a saved template for a real contact, and reports render errors as 422 with the line', async () => {
    expect(
      (
        await api.ingest(a.writeKey, '/v1/identify', {
          userId: 'ada',
          traits: { firstName: 'Ada' },
        })
      ).status,
    ).toBe(200);
    const created = await create({
      name: 'Nudge',
      channel: 'inApp',
      title: 'Hey {{ contact.traits.firstName }}',
      body: 'You have {{ 3 | plus: 2 }} items',
    });
    const res = await api.admin(a.adminKey, '/api/v1/templates/preview', {
      body: { templateId: created.id, contactId: 'ada' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rendered: unknown }).rendered).toEqual({
      title: 'Hey Ada',
      body: 'You have 5 items',
    });

    const unknownFilter = await api.admin(a.adminKey, '/api/v1/templates/preview', {
      body: { template: { ...welcome, text: 'line one\n{{ contact.id | shout }}' } },
    });
    expect(unknownFilter.status).toBe(422);
    expect(((await unknownFilter.json()) as Problem).errors?.[0]).toMatchObject({
      path: 'text',
      line: 2,
    });

    const ghost = await api.admin(a.adminKey, '/api/v1/templates/preview', {
      body: { templateId: created.id, contactId: 'nobody' },
    });
    expect(ghost.status).toBe(404);
  });

  it("answers 404 to another workspace's key on every template route", async () => {
    const created = await create();
    const paths: [string, string, unknown?][] = [
      ['GET', `/api/v1/templates/${created.id}`],
      ['PUT', `/api/v1/templates/${created.id}`, welcome],
      ['GET', `/api/v1/templates/${created.id}/versions`],
      ['GET', `/api/v1/templates/${created.id}/versions/1`],
      ['POST', '/api/v1/templates/preview', { templateId: created.id }],
      ['DELETE', `/api/v1/templates/${created.id}`],
    ];
    for (const [method, path, body] of paths) {
      const res = await api.admin(b.adminKey, path, { method, body });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    const list = (await (await api.admin(b.adminKey, '/api/v1/templates')).json()) as {
      templates: unknown[];
    };
    expect(list.templates).toEqual([]);
    // Still there for its owner; deleting makes it disappear.
    expect(
      (await api.admin(a.adminKey, `/api/v1/templates/${created.id}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await api.admin(a.adminKey, `/api/v1/templates/${created.id}`)).status).toBe(404);
  });
});

describe('a test send the SMTP server cannot take', () => {
  let api: RunningApi;
  let adminKey: string;
  beforeAll(async () => {
    // A port that was free a moment ago: nothing answers SMTP there.
    const closed = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    api = await startApi({ env: { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(closed) } });
    adminKey = (await api.workspace('No SMTP')).adminKey;
  });
  afterAll(async () => api?.close());

  it('answers 502 naming the SMTP server, and 422 for an in-app template', async () => {
    const email = { name: 'Hi', channel: 'email', subject: 'Hi', html: '<p>Hi</p>' };
    const refused = await api.admin(adminKey, '/api/v1/templates/test-send', {
      body: { template: email, to: 'me@acme.test' },
    });
    expect(refused.status).toBe(502);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(((await refused.json()) as Problem).detail).toMatch(
      /^The SMTP server 127\.0\.0\.1:\d+ refused the test email/,
    );

    const inApp = await api.admin(adminKey, '/api/v1/templates/test-send', {
      body: {
        template: { name: 'Tip', channel: 'inApp', title: 'T', body: 'B' },
        to: 'me@acme.test',
      },
    });
    expect(inApp.status).toBe(422);
    expect(((await inApp.json()) as Problem).errors?.[0]?.path).toBe('channel');
  });
});
