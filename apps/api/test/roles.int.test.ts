import { createUser, ROLES, roleAtLeast, type Role } from '@cairn/db';
import { startApi, type RunningApi } from './harness';
import { routeTable, type RouteEntry } from './route-table';

/**
 * Roles over every management route, generated from the route table: each route must declare the
 * least role it needs (and, unless it is a GET, what it changes), and exactly the roles below that
 * get 403. A new route without a declaration fails here.
 */
describe('roles over every management route', () => {
  let api: RunningApi;
  let workspace: Awaited<ReturnType<RunningApi['workspace']>>;
  const tokens = {} as Record<Role, string>;

  beforeAll(async () => {
    api = await startApi({ env: { CAIRN_SECRET_KEY: 'roles-test-secret-roles-test-secret-0123' } });
    workspace = await api.workspace('Roles');
    for (const role of ROLES) {
      await createUser(api.db.connection, workspace.workspace._id, {
        email: `${role}@example.com`,
        name: role,
        role,
        password: `${role}-password-long`,
      });
      const res = await api.fetch('/api/v1/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${role}@example.com`, password: `${role}-password-long` }),
      });
      expect(res.status).toBe(201);
      tokens[role] = ((await res.json()) as { token: string }).token;
    }
  });
  afterAll(async () => api.close());

  const management = (): RouteEntry[] =>
    routeTable(api.app).filter((r) => r.path.startsWith('/api/v1/'));

  /** Ids that exist nowhere, so an allowed request answers 400/404 and changes nothing. */
  function concrete(path: string): string {
    return path
      .replace(/:(id|contactId|name|messageId|email)/g, 'no-such-thing')
      .replace(/:version/g, '1');
  }

  it('declares exactly one role on every route, and what every non-GET route changes', () => {
    const undeclared: string[] = [];
    for (const route of management()) {
      const key = `${route.method} ${route.path}`;
      if (route.policies.length !== 1)
        undeclared.push(
          `${key}: ${route.policies.length} role declarations (use requireRole once)`,
        );
      const policy = route.policies[0];
      if (policy && policy.role !== 'public' && route.method !== 'GET' && !policy.effect) {
        undeclared.push(
          `${key}: declare what it changes: requireRole(role, { audits: '<resource>' }) or 'readOnly'`,
        );
      }
    }
    expect(undeclared).toEqual([]);
    expect(management().length).toBeGreaterThan(40);
  });

  it('has only sign-in public', () => {
    expect(
      management()
        .filter((r) => r.policies[0]?.role === 'public')
        .map((r) => `${r.method} ${r.path}`),
    ).toEqual(['POST /api/v1/sessions']);
  });

  it('answers 403 to exactly the roles below the declared one', async () => {
    const wrong: string[] = [];
    // Signing out would end the session the loop uses; its own test is below.
    const routes = management().filter(
      (r) => r.policies[0]?.role !== 'public' && r.path !== '/api/v1/sessions/current',
    );
    for (const route of routes) {
      const declared = route.policies[0]?.role;
      // The instance admin's routes answer to CAIRN_ADMIN_TOKEN: no workspace role passes.
      if (declared === 'instance') {
        for (const role of ROLES) {
          const res = await api.admin(tokens[role], concrete(route.path), {
            method: route.method,
            body: route.method === 'GET' ? undefined : {},
          });
          if (res.status !== 403)
            wrong.push(`${role}: ${route.method} ${route.path} → ${res.status}, expected 403`);
        }
        continue;
      }
      const needed = declared as Role;
      for (const role of ROLES) {
        const res = await api.admin(tokens[role], concrete(route.path), {
          method: route.method,
          body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        });
        const allowed = roleAtLeast(role, needed);
        if (allowed && (res.status === 403 || res.status === 401))
          wrong.push(
            `${role}: ${route.method} ${route.path} → ${res.status}, but ${needed} is enough`,
          );
        if (!allowed && res.status !== 403)
          wrong.push(
            `${role}: ${route.method} ${route.path} → ${res.status}, expected 403 (needs ${needed})`,
          );
      }
    }
    expect(wrong).toEqual([]);
  });

  it('pins the role matrix a marketer relies on', () => {
    const role = (method: string, path: string) =>
      management().find((r) => r.method === method && r.path === `/api/v1${path}`)?.policies[0]
        ?.role;
    expect(role('GET', '/segments')).toBe('viewer');
    expect(role('POST', '/segments')).toBe('editor');
    expect(role('PUT', '/journeys/:id')).toBe('editor');
    expect(role('POST', '/journeys/:id/publish')).toBe('publisher');
    expect(role('POST', '/journeys/:id/pause')).toBe('publisher');
    expect(role('POST', '/journeys/:id/archive')).toBe('publisher');
    expect(role('PUT', '/templates/:id')).toBe('editor');
    expect(role('POST', '/credentials')).toBe('admin');
    expect(role('POST', '/users')).toBe('admin');
    expect(role('POST', '/keys')).toBe('admin');
    expect(role('DELETE', '/users/:email')).toBe('admin');
    expect(role('POST', '/credentials/:name/test-send')).toBe('admin');
    expect(role('PATCH', '/workspace/settings')).toBe('admin');
    expect(role('POST', '/admin/workspaces')).toBe('instance');
    expect(role('GET', '/audit')).toBe('viewer');
  });

  it('names the role needed in the 403', async () => {
    const res = await api.admin(tokens.editor, '/api/v1/journeys/no-such-journey/publish', {
      method: 'POST',
      body: {},
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(
      /needs the publisher role.*editor@example\.com has the editor role/,
    );
  });

  it('lets an admin key act as a workspace admin', async () => {
    const me = (await (await api.admin(workspace.adminKey, '/api/v1/me')).json()) as {
      principal: { type: string; role: string };
    };
    expect(me.principal).toMatchObject({ type: 'key', role: 'admin' });
    expect((await api.admin(workspace.adminKey, '/api/v1/users')).status).toBe(200);
  });
});
