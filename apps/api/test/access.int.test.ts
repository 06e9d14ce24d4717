import { createUser } from '@cairn/db';
import { startApi, type RunningApi } from './harness';

type Entry = {
  id: string;
  at: string;
  actor: { type: string; id: string; email?: string };
  action: string;
  resource: { type: string; id: string; name?: string };
  changes: { path: string; before: unknown; after: unknown }[];
};
type AuditPage = { entries: Entry[]; next?: string };

const SMTP_PASSWORD = 'smtp-password-that-must-never-be-logged';
const segmentBody = (value: string) => ({
  name: 'Pro plan',
  definition: {
    type: 'all',
    conditions: [{ type: 'trait', field: 'plan', operator: 'eq', value }],
  },
});
const journeyBody = {
  name: 'Welcome',
  definition: {
    name: 'Welcome',
    settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
    nodes: [
      { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
      { id: 'done', kind: 'exit' },
    ],
    edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'done' }],
  },
};

describe('users, sessions, roles and the audit log on the real stack', () => {
  let api: RunningApi;
  let a: Awaited<ReturnType<RunningApi['workspace']>>;
  let b: Awaited<ReturnType<RunningApi['workspace']>>;
  const token: Record<string, string> = {};

  const signIn = (body: Record<string, unknown>) =>
    api.fetch('/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const auditOf = async (as: string, query = '') =>
    (await (await api.admin(as, `/api/v1/audit${query}`)).json()) as AuditPage;

  beforeAll(async () => {
    api = await startApi({ env: { CAIRN_SECRET_KEY: 'access-test-secret-access-test-secret-01' } });
    [a, b] = await Promise.all([api.workspace('A'), api.workspace('B')]);
    for (const role of ['admin', 'editor', 'publisher', 'viewer'] as const) {
      await createUser(api.db.connection, a.workspace._id, {
        email: `${role}@a.example`,
        name: `${role} of A`,
        role,
        password: `${role}-secret-pass`,
      });
      token[role] = (
        (await (
          await signIn({ email: `${role}@a.example`, password: `${role}-secret-pass` })
        ).json()) as { token: string }
      ).token;
    }
    await createUser(api.db.connection, b.workspace._id, {
      email: 'admin@b.example',
      name: 'admin of B',
      role: 'admin',
      password: 'admin-b-secret-pass',
    });
    token.adminB = (
      (await (
        await signIn({
          workspaceId: b.workspace._id,
          email: 'ADMIN@b.example',
          password: 'admin-b-secret-pass',
        })
      ).json()) as { token: string }
    ).token;
  });
  afterAll(async () => api.close());

  describe('sign-in', () => {
    it('opens a 12-hour session for the right password, with the user and role', async () => {
      const res = await signIn({
        workspaceId: a.workspace._id,
        email: ' Editor@A.example ',
        password: 'editor-secret-pass',
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as {
        token: string;
        user: Record<string, unknown>;
        expiresAt: string;
      };
      expect(body.token).toMatch(/^cus_[A-Za-z0-9]{12}_/);
      expect(body.user).toMatchObject({
        email: 'editor@a.example',
        role: 'editor',
        workspaceId: a.workspace._id,
      });
      expect(body.user).not.toHaveProperty('passwordHash');
      expect(Date.parse(body.expiresAt) - Date.now()).toBeGreaterThan(11.9 * 3600_000);
      const me = (await (await api.admin(body.token, '/api/v1/me')).json()) as {
        workspace: { id: string };
        principal: Record<string, unknown>;
      };
      expect(me.workspace.id).toBe(a.workspace._id);
      expect(me.principal).toMatchObject({
        type: 'user',
        email: 'editor@a.example',
        role: 'editor',
      });
    });

    it('answers a wrong password and an unknown email with the same 401 (no user enumeration)', async () => {
      const wrong = await signIn({ email: 'editor@a.example', password: 'not-the-password' });
      const unknown = await signIn({ email: 'nobody@a.example', password: 'editor-secret-pass' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      const detail = async (r: Response) => ((await r.json()) as { detail: string }).detail;
      expect(await detail(wrong)).toBe(await detail(unknown));
      // The stored session token is hashed: the raw token text is nowhere in the database.
      const raw = JSON.stringify(await api.db.connection.collection('sessions').find({}).toArray());
      expect(raw).not.toContain(token.editor!.split('_').slice(2).join('_'));
    });

    it('signs out: the token stops working at once', async () => {
      const { token: t } = (await (
        await signIn({ email: 'viewer@a.example', password: 'viewer-secret-pass' })
      ).json()) as { token: string };
      expect((await api.admin(t, '/api/v1/segments')).status).toBe(200);
      expect((await api.admin(t, '/api/v1/sessions/current', { method: 'DELETE' })).status).toBe(
        204,
      );
      expect((await api.admin(t, '/api/v1/segments')).status).toBe(401);
    });
  });

  describe('roles', () => {
    it('lets an editor draft but not publish, a publisher publish, a viewer only read', async () => {
      expect((await api.admin(token.viewer!, '/api/v1/segments')).status).toBe(200);
      expect(
        (await api.admin(token.viewer!, '/api/v1/segments', { body: segmentBody('pro') })).status,
      ).toBe(403);

      const created = await api.admin(token.editor!, '/api/v1/journeys', { body: journeyBody });
      expect(created.status).toBe(201);
      const { id } = (await created.json()) as { id: string };
      const refused = await api.admin(token.editor!, `/api/v1/journeys/${id}/publish`, {
        method: 'POST',
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { detail: string }).detail).toMatch(/publisher role/);
      expect(
        (await api.admin(token.publisher!, `/api/v1/journeys/${id}/publish`, { method: 'POST' }))
          .status,
      ).toBe(200);

      expect(
        (
          await api.admin(token.publisher!, '/api/v1/credentials', {
            body: { name: 'x', type: 'x', values: { k: 'v' } },
          })
        ).status,
      ).toBe(403);
      expect((await api.admin(token.editor!, '/api/v1/users')).status).toBe(403);
      expect(
        (await api.admin(token.publisher!, '/api/v1/keys', { body: { name: 'k', scope: 'write' } }))
          .status,
      ).toBe(403);
    });

    it('lets an admin add users (with a generated password shown once), change roles and disable them', async () => {
      const res = await api.admin(token.admin!, '/api/v1/users', {
        body: { email: 'New.Person@A.example', role: 'viewer' },
      });
      expect(res.status).toBe(201);
      const { user, password } = (await res.json()) as {
        user: { email: string; role: string };
        password: string;
      };
      expect(user).toMatchObject({ email: 'new.person@a.example', role: 'viewer' });
      expect(password).toMatch(/^\w{20}$/);
      expect(
        (
          await api.admin(token.admin!, '/api/v1/users', {
            body: { email: 'new.person@a.example', role: 'admin' },
          })
        ).status,
      ).toBe(409);

      const signedIn = (await (
        await signIn({ email: 'new.person@a.example', password })
      ).json()) as { token: string };
      expect(
        (await api.admin(signedIn.token, '/api/v1/segments', { body: segmentBody('x') })).status,
      ).toBe(403);
      expect(
        (
          await api.admin(token.admin!, '/api/v1/users/new.person@a.example', {
            method: 'PUT',
            body: { role: 'editor' },
          })
        ).status,
      ).toBe(200);
      // The new role applies to the open session at once.
      expect(
        (await api.admin(signedIn.token, '/api/v1/segments/preview', { body: segmentBody('x') }))
          .status,
      ).toBe(200);
      expect(
        (
          await api.admin(token.admin!, '/api/v1/users/new.person@a.example', {
            method: 'PUT',
            body: { disabled: true },
          })
        ).status,
      ).toBe(200);
      expect((await api.admin(signedIn.token, '/api/v1/segments')).status).toBe(401);
      expect((await signIn({ email: 'new.person@a.example', password })).status).toBe(401);

      // An admin cannot lock themselves out.
      expect(
        (
          await api.admin(token.admin!, '/api/v1/users/admin@a.example', {
            method: 'PUT',
            body: { role: 'viewer' },
          })
        ).status,
      ).toBe(409);
    });
  });

  describe('audit log', () => {
    it('records a segment edit by a user: who, what, and the changed field', async () => {
      const created = (await (
        await api.admin(token.editor!, '/api/v1/segments', { body: segmentBody('pro') })
      ).json()) as { id: string };
      expect(
        (
          await api.admin(token.editor!, `/api/v1/segments/${created.id}`, {
            method: 'PUT',
            body: segmentBody('enterprise'),
          })
        ).status,
      ).toBe(200);
      // Saving again without a change adds nothing to the log.
      expect(
        (
          await api.admin(token.editor!, `/api/v1/segments/${created.id}`, {
            method: 'PUT',
            body: segmentBody('enterprise'),
          })
        ).status,
      ).toBe(200);
      const { entries } = await auditOf(
        token.viewer!,
        `?resourceType=segment&resourceId=${created.id}`,
      );
      expect(entries.map((e) => e.action)).toEqual(['segment.updated', 'segment.created']);
      expect(entries[0]).toMatchObject({
        actor: { type: 'user', id: 'editor@a.example', email: 'editor@a.example' },
        resource: { type: 'segment', id: created.id, name: 'Pro plan' },
        changes: [{ path: 'definition.conditions[0].value', before: 'pro', after: 'enterprise' }],
      });
      expect(Date.parse(entries[0]!.at)).toBeGreaterThanOrEqual(Date.parse(entries[1]!.at));
    });

    it('records a journey publish with the new status and version', async () => {
      const { id } = (await (
        await api.admin(token.editor!, '/api/v1/journeys', { body: journeyBody })
      ).json()) as { id: string };
      expect(
        (await api.admin(token.publisher!, `/api/v1/journeys/${id}/publish`, { method: 'POST' }))
          .status,
      ).toBe(200);
      const [published] = (await auditOf(token.admin!, `?resourceId=${id}&limit=1`)).entries;
      expect(published).toMatchObject({
        action: 'journey.published',
        actor: { id: 'publisher@a.example' },
        changes: expect.arrayContaining([
          { path: 'status', before: 'draft', after: 'published' },
          { path: 'publishedVersion', before: null, after: 1 },
        ]),
      });
    });

    it('records credential changes by field name, never the secret values', async () => {
      expect(
        (
          await api.admin(token.admin!, '/api/v1/credentials', {
            body: {
              name: 'smtp-main',
              type: 'smtp',
              values: { user: 'mailer', pass: 'first-secret-value' },
            },
          })
        ).status,
      ).toBe(201);
      const replaced = await api.admin(token.admin!, '/api/v1/credentials/smtp-main', {
        method: 'PUT',
        body: { type: 'smtp', values: { user: 'mailer', pass: SMTP_PASSWORD, port: '2525' } },
      });
      expect(replaced.status).toBe(200);
      const page = await auditOf(token.admin!, '?resourceType=credential&resourceId=smtp-main');
      expect(page.entries.map((e) => e.action)).toEqual([
        'credential.updated',
        'credential.created',
      ]);
      expect(page.entries[0]!.changes).toEqual([
        { path: 'values.pass', before: '[redacted]', after: '[redacted]' },
        { path: 'values.port', before: null, after: '[redacted]' },
      ]);
      const everything = JSON.stringify(
        await api.db.connection.collection('audit_entries').find({}).toArray(),
      );
      for (const secret of [SMTP_PASSWORD, 'first-secret-value', 'mailer'])
        expect(everything).not.toContain(secret);
    });

    it('records key creation and revocation by an admin key, and the key text is not in the log', async () => {
      const res = await api.admin(a.adminKey, '/api/v1/keys', {
        body: { name: 'Checkout server', scope: 'write' },
      });
      expect(res.status).toBe(201);
      const created = (await res.json()) as { id: string; key: string; scope: string };
      expect(created.key).toMatch(/^cwk_/);
      expect(
        (await api.ingest(created.key, '/v1/track', { userId: 'u1', event: 'Key Works' })).status,
      ).toBeLessThan(300);
      expect(
        (await api.admin(a.adminKey, `/api/v1/keys/${created.id}`, { method: 'DELETE' })).status,
      ).toBe(204);
      const { entries } = await auditOf(
        a.adminKey,
        `?resourceType=apiKey&resourceId=${created.id}`,
      );
      expect(entries.map((e) => e.action)).toEqual(['apiKey.revoked', 'apiKey.created']);
      expect(entries[1]).toMatchObject({
        actor: { type: 'key' },
        resource: { name: 'Checkout server' },
        changes: expect.arrayContaining([{ path: 'scope', before: null, after: 'write' }]),
      });
      // The secret is everything after the id (base64url, so it may hold '_' itself).
      expect(JSON.stringify(entries)).not.toContain(created.key.split('_').slice(2).join('_'));
      const keys = (await (await api.admin(a.adminKey, '/api/v1/keys')).json()) as {
        keys: { id: string; revokedAt: string | null }[];
      };
      expect(keys.keys.find((k) => k.id === created.id)?.revokedAt).not.toBeNull();
      expect(JSON.stringify(keys)).not.toContain('secretHash');
    });

    it('filters by actor and pages newest first', async () => {
      const mine = await auditOf(token.admin!, '?actor=publisher@a.example');
      expect(mine.entries.length).toBeGreaterThanOrEqual(2);
      expect(mine.entries.every((e) => e.actor.id === 'publisher@a.example')).toBe(true);
      const first = await auditOf(token.admin!, '?limit=2');
      expect(first.entries).toHaveLength(2);
      expect(first.next).toBeDefined();
      const second = await auditOf(
        token.admin!,
        `?limit=2&before=${encodeURIComponent(first.next!)}`,
      );
      expect(second.entries[0]!.id < first.entries[1]!.id).toBe(true);
      expect((await api.admin(token.admin!, '/api/v1/audit?limit=0')).status).toBe(400);
    });

    it("never shows another workspace's entries", async () => {
      const segment = (await (
        await api.admin(token.editor!, '/api/v1/segments', {
          body: { ...segmentBody('x'), name: 'Secret segment of A' },
        })
      ).json()) as { id: string };
      const all = await auditOf(token.adminB!);
      expect(JSON.stringify(all)).not.toContain('Secret segment of A');
      expect(all.entries.every((e) => !e.actor.id.endsWith('@a.example'))).toBe(true);
      expect((await auditOf(token.adminB!, `?resourceId=${segment.id}`)).entries).toEqual([]);
      expect((await auditOf(b.adminKey, '?actor=editor@a.example')).entries).toEqual([]);
      // And B's admin cannot touch A's users.
      expect(
        (
          await api.admin(token.adminB!, '/api/v1/users/editor@a.example', {
            method: 'PUT',
            body: { role: 'viewer' },
          })
        ).status,
      ).toBe(404);
    });
  });
});
