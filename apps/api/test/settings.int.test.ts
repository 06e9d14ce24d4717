import { startApi, type RunningApi } from './harness';
import { eventually, startJourneyWorker } from './journey-worker';
import { startSmtpCapture } from './smtp-capture';

const ADMIN_TOKEN = 'instance-admin-token-for-settings-tests-0123456789';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('workspace settings, senders, keys and workspaces over HTTP', () => {
  let api: RunningApi;
  // The worker's own SMTP server (SMTP_HOST) and a second one that only a stored credential names.
  let workerSmtp: Awaited<ReturnType<typeof startSmtpCapture>>;
  let esp: Awaited<ReturnType<typeof startSmtpCapture>>;

  beforeAll(async () => {
    workerSmtp = await startSmtpCapture();
    esp = await startSmtpCapture({ refuse: (to) => to.startsWith('nobody@') });
    api = await startApi({
      env: {
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(workerSmtp.port),
        CAIRN_EMAIL_FROM: 'Process Default <process@cairn.test>',
        CAIRN_SECRET_KEY: 'settings-test-secret-settings-test-secret',
        CAIRN_ADMIN_TOKEN: ADMIN_TOKEN,
      },
    });
  }, 120_000);
  afterAll(async () => {
    await api?.close();
    await workerSmtp?.close();
    await esp?.close();
  });

  async function workspace(name = 'Settings') {
    const ws = await api.workspace(name);
    const call = async (path: string, body?: unknown, method?: string) => {
      const res = await api.admin(ws.adminKey, `/api/v1${path}`, {
        body,
        ...(method ? { method } : {}),
      });
      const text = await res.text();
      return {
        status: res.status,
        type: res.headers.get('content-type') ?? '',
        body: (text ? JSON.parse(text) : undefined) as Json,
      };
    };
    return { ...ws, call };
  }

  it('saves the name, time zone and default sender, and names the field of a bad one', async () => {
    const ws = await workspace();
    const saved = await ws.call(
      '/workspace/settings',
      {
        name: 'Acme Shop',
        timezone: 'Europe/Paris',
        sender: { name: 'Acme Team', address: 'team@acme.test' },
      },
      'PATCH',
    );
    expect(saved.status).toBe(200);
    const me = await ws.call('/me');
    expect(me.body.workspace).toMatchObject({
      name: 'Acme Shop',
      settings: {
        timezone: 'Europe/Paris',
        sender: { name: 'Acme Team', address: 'team@acme.test' },
      },
    });

    const bad = await ws.call(
      '/workspace/settings',
      { sender: { address: 'team at acme' } },
      'PATCH',
    );
    expect(bad.status).toBe(400);
    expect(bad.type).toMatch(/application\/problem\+json/);
    expect(bad.body.errors).toEqual([
      { path: 'sender.address', message: expect.stringMatching(/email address/) },
    ]);
    const injected = await ws.call(
      '/workspace/settings',
      { sender: { name: 'Acme\r\nBcc: all@victims.test', address: 'team@acme.test' } },
      'PATCH',
    );
    expect(injected.status).toBe(400);
    expect(injected.body.errors[0].path).toBe('sender.name');
    const noSuchCredential = await ws.call(
      '/workspace/settings',
      { sender: { address: 'team@acme.test', credential: 'missing' } },
      'PATCH',
    );
    expect(noSuchCredential.status).toBe(400);
    expect(noSuchCredential.body.errors[0].path).toBe('sender.credential');

    // null removes the sender: steps fall back to CAIRN_EMAIL_FROM.
    await ws.call('/workspace/settings', { sender: null }, 'PATCH');
    expect((await ws.call('/me')).body.workspace.settings.sender).toBeNull();
    const log = await ws.call('/audit?resourceType=workspace');
    expect(log.body.entries[0].changes.map((c: Json) => c.path)).toContain('settings.sender');
  });

  it("test-sends through a stored SMTP credential as the workspace sender and answers the server's reply", async () => {
    const ws = await workspace();
    const stored = await ws.call('/credentials', {
      name: 'esp',
      type: 'smtp',
      values: { host: '127.0.0.1', port: String(esp.port) },
    });
    expect(stored.status).toBe(201);
    await ws.call(
      '/workspace/settings',
      { sender: { name: 'Acme', address: 'hi@acme.test' } },
      'PATCH',
    );

    const sent = await ws.call('/credentials/esp/test-send', { to: 'ops@example.com' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({
      server: `127.0.0.1:${esp.port}`,
      accepted: ['ops@example.com'],
      rejected: [],
    });
    expect(sent.body.response).toMatch(/^250 /);
    expect(esp.received).toEqual([
      {
        to: 'ops@example.com',
        subject: 'Cairn test message',
        from: 'Acme <hi@acme.test>',
        body: expect.stringContaining('sent through the credential "esp"'),
      },
    ]);
    expect(workerSmtp.received).toEqual([]);

    // The server refuses the mailbox: a 502 that says what the server said, not a 500.
    const refused = await ws.call('/credentials/esp/test-send', { to: 'nobody@example.com' });
    expect(refused.status).toBe(502);
    expect(refused.type).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toMatch(/Recipient address rejected/);
    expect(refused.body.errors[0]).toMatchObject({
      path: 'smtp.response',
      message: expect.stringMatching(/550/),
    });

    // Nothing listens: the connection failure is named.
    await ws.call('/credentials', {
      name: 'dead',
      type: 'smtp',
      values: { host: '127.0.0.1', port: '1' },
    });
    const dead = await ws.call('/credentials/dead/test-send', { to: 'ops@example.com' });
    expect(dead.status).toBe(502);
    expect(dead.body.errors[0].path).toBe('smtp.connection');
    expect(dead.body.detail).toMatch(/127\.0\.0\.1:1/);

    // A credential that is not an SMTP server, and a bad address, name their field.
    await ws.call('/credentials', { name: 'hook', type: 'bearerToken', values: { token: 't' } });
    const notSmtp = await ws.call('/credentials/hook/test-send', { to: 'ops@example.com' });
    expect(notSmtp.status).toBe(400);
    expect(notSmtp.body.errors[0].path).toBe('type');
    await ws.call('/credentials', { name: 'nohost', type: 'smtp', values: { port: '25' } });
    const noHost = await ws.call('/credentials/nohost/test-send', { to: 'ops@example.com' });
    expect(noHost.status).toBe(422);
    expect(noHost.body.errors[0].path).toBe('values.host');
    const badTo = await ws.call('/credentials/esp/test-send', { to: 'not an address' });
    expect(badTo.status).toBe(400);
    expect(badTo.body.errors[0].path).toBe('to');
    expect(esp.received).toHaveLength(1);
  });

  it('records when a key was last used, at most once a minute', async () => {
    const ws = await workspace();
    const created = await ws.call('/keys', { name: 'Checkout server', scope: 'write' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const lastUsed = async () =>
      ((await ws.call('/keys')).body.keys as Json[]).find((k) => k.id === id)?.lastUsedAt as
        string | null;
    expect(await lastUsed()).toBeNull();

    const before = Date.now();
    const res = await api.ingest(created.body.key, '/v1/track', {
      userId: 'u1',
      event: 'Signed Up',
      messageId: 'm1',
    });
    expect(res.status).toBe(200);
    const first = await eventually(
      'the key to show a last use',
      async () => (await lastUsed()) ?? undefined,
    );
    expect(Date.parse(first)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(first)).toBeLessThanOrEqual(Date.now());

    // A second use within the minute does not write again.
    await api.ingest(created.body.key, '/v1/track', {
      userId: 'u1',
      event: 'Signed Up',
      messageId: 'm2',
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await lastUsed()).toBe(first);

    // The admin key listing the keys is used too.
    const adminKeyId = ws.adminKey.split('_')[1];
    expect(
      ((await ws.call('/keys')).body.keys as Json[]).find((k) => k.id === adminKeyId)?.lastUsedAt,
    ).not.toBeNull();
  });

  it('removes a user, ending their session', async () => {
    const ws = await workspace();
    await ws.call('/users', {
      email: 'ana@acme.test',
      role: 'editor',
      password: 'ana-password-123',
    });
    const signIn = await api.fetch('/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ana@acme.test', password: 'ana-password-123' }),
    });
    const { token } = (await signIn.json()) as { token: string };
    expect((await api.admin(token, '/api/v1/me')).status).toBe(200);
    expect((await ws.call('/users/ana@acme.test', undefined, 'DELETE')).status).toBe(204);
    expect((await api.admin(token, '/api/v1/me')).status).toBe(401);
    expect((await ws.call('/users')).body.users).toEqual([]);
    expect((await ws.call('/users/ana@acme.test', undefined, 'DELETE')).status).toBe(404);
  });

  it('lets the instance admin create a workspace over HTTP, and refuses anyone else with problem+json', async () => {
    const asInstanceAdmin = (token: string | undefined, body?: unknown) =>
      api.fetch('/api/v1/admin/workspaces', {
        method: body === undefined ? 'GET' : 'POST',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const created = await asInstanceAdmin(ADMIN_TOKEN, {
      name: 'Beta Corp',
      slug: 'beta-corp',
      timezone: 'America/New_York',
      admin: { email: 'owner@beta.test' },
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Json;
    expect(body.workspace).toMatchObject({
      name: 'Beta Corp',
      slug: 'beta-corp',
      settings: { timezone: 'America/New_York' },
    });
    expect(body.writeKey).toMatch(/^cwk_/);
    expect(body.adminKey).toMatch(/^cak_/);
    // The new admin key works, and the first admin can sign in with the password shown once.
    const me = (await (await api.admin(body.adminKey, '/api/v1/me')).json()) as Json;
    expect(me.workspace.name).toBe('Beta Corp');
    const signIn = await api.fetch('/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@beta.test', password: body.admin.password }),
    });
    expect(signIn.status).toBe(201);
    expect(((await signIn.json()) as Json).user.role).toBe('admin');
    const log = (await (await api.admin(body.adminKey, '/api/v1/audit')).json()) as Json;
    expect(log.entries[0]).toMatchObject({
      action: 'workspace.created',
      actor: { id: 'instance-admin' },
    });

    const listed = (await (await asInstanceAdmin(ADMIN_TOKEN)).json()) as Json;
    expect(listed.workspaces.map((w: Json) => w.slug)).toContain('beta-corp');
    const again = await asInstanceAdmin(ADMIN_TOKEN, { name: 'Beta again', slug: 'beta-corp' });
    expect(again.status).toBe(409);

    // A workspace admin key, even of the new workspace, is not the instance admin.
    const ws = await workspace();
    for (const token of [ws.adminKey, body.adminKey, 'x'.repeat(48)]) {
      const refused = await asInstanceAdmin(token, { name: 'Sneaky' });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await refused.json()) as Json).detail).toMatch(/CAIRN_ADMIN_TOKEN/);
    }
    const anonymous = await asInstanceAdmin(undefined, { name: 'Sneaky' });
    expect(anonymous.status).toBe(401);
    const bad = await asInstanceAdmin(ADMIN_TOKEN, { name: '', timezone: 'Mars/Base' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).errors.map((e: Json) => e.path)).toEqual([
      'name',
      'timezone',
    ]);
  });

  describe('with a worker running journeys', () => {
    let worker: Awaited<ReturnType<typeof startJourneyWorker>>;
    beforeAll(async () => {
      worker = await startJourneyWorker(api);
    }, 120_000);
    afterAll(async () => worker?.stop());

    it("a journey's email step without a from sends as the workspace sender, through its SMTP credential", async () => {
      const ws = await workspace();
      await ws.call('/credentials', {
        name: 'esp',
        type: 'smtp',
        values: { host: '127.0.0.1', port: String(esp.port) },
      });
      const journey = await ws.call('/journeys', {
        name: 'Welcome',
        definition: {
          name: 'Welcome',
          settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
          nodes: [
            { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
            {
              id: 'hello',
              kind: 'action',
              action: { type: 'email', version: 1 },
              config: { subject: 'Hello {{ contact.traits.firstName }}', html: '<p>Hi</p>' },
            },
            { id: 'done', kind: 'exit' },
          ],
          edges: [
            { id: 'e1', source: 'start', sourceHandle: 'next', target: 'hello' },
            { id: 'e2', source: 'hello', sourceHandle: 'sent', target: 'done' },
            { id: 'e3', source: 'hello', sourceHandle: 'skipped', target: 'done' },
          ],
        },
      });
      expect(journey.status).toBe(201);
      expect((await ws.call(`/journeys/${journey.body.id}/publish`, {})).status).toBe(200);
      const identify = async (userId: string, email: string) =>
        expect(
          (
            await api.ingest(ws.writeKey, '/v1/identify', {
              userId,
              messageId: `${userId}-identify`,
              traits: { email, firstName: userId },
            })
          ).status,
        ).toBe(200);

      // No workspace sender yet: CAIRN_EMAIL_FROM, through the worker's SMTP server.
      await identify('Ada', 'ada@example.com');
      expect(
        (await ws.call(`/journeys/${journey.body.id}/enroll`, { contactId: 'Ada' })).status,
      ).toBeLessThan(300);
      const fallback = await eventually('the first email', async () =>
        workerSmtp.received.find((m) => m.to === 'ada@example.com'),
      );
      expect(fallback.from).toBe('Process Default <process@cairn.test>');

      await ws.call(
        '/workspace/settings',
        { sender: { name: 'Acme Team', address: 'team@acme.test', credential: 'esp' } },
        'PATCH',
      );
      await identify('Bea', 'bea@example.com');
      expect(
        (await ws.call(`/journeys/${journey.body.id}/enroll`, { contactId: 'Bea' })).status,
      ).toBeLessThan(300);
      const mail = await eventually(
        'the email as the workspace sender',
        async () => esp.received.find((m) => m.to === 'bea@example.com'),
        60_000,
      );
      expect(mail).toMatchObject({
        to: 'bea@example.com',
        subject: 'Hello Bea',
        from: 'Acme Team <team@acme.test>',
      });
      expect(workerSmtp.received.some((m) => m.to === 'bea@example.com')).toBe(false);
    }, 180_000);
  });
});
