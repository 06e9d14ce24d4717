import { startApi, type RunningApi } from './harness';
import { routeTable, type RouteEntry } from './route-table';

/**
 * Workspace isolation over every management route, generated from the route table: workspace B's admin
 * key must never see or touch workspace A's objects (404, never 403, so existence does not leak), a write
 * key must never read, and no key means 401.
 */
describe('workspace isolation over every route', () => {
  let api: RunningApi;
  let a: Awaited<ReturnType<RunningApi['workspace']>>;
  let b: Awaited<ReturnType<RunningApi['workspace']>>;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    api = await startApi({
      env: { CAIRN_SECRET_KEY: 'isolation-test-secret-isolation-test-secret' },
    });
    [a, b] = await Promise.all([api.workspace('A'), api.workspace('B')]);
    await api.ingest(a.writeKey, '/v1/identify', {
      userId: 'secret-contact-a',
      traits: { email: 'a@example.com' },
    });
    const segment = await api.admin(a.adminKey, '/api/v1/segments', {
      body: {
        name: 'Secret segment A',
        definition: {
          type: 'all',
          conditions: [{ type: 'trait', field: 'email', operator: 'exists' }],
        },
      },
    });
    expect(segment.status).toBeLessThan(300);
    ids.segment = ((await segment.json()) as { id: string }).id;
    const journey = await api.admin(a.adminKey, '/api/v1/journeys', {
      body: {
        name: 'Secret journey A',
        definition: {
          name: 'Secret journey A',
          settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
          nodes: [
            { id: 'start', kind: 'trigger', trigger: { type: 'manual' } },
            { id: 'done', kind: 'exit' },
          ],
          edges: [{ id: 'e1', source: 'start', sourceHandle: 'next', target: 'done' }],
        },
      },
    });
    expect(journey.status).toBeLessThan(300);
    ids.journey = ((await journey.json()) as { id: string }).id;
    const template = await api.admin(a.adminKey, '/api/v1/templates', {
      body: { name: 'Secret template A', channel: 'email', subject: 'Hi', html: '<p>Hi</p>' },
    });
    expect(template.status).toBeLessThan(300);
    ids.template = ((await template.json()) as { id: string }).id;
    const credential = await api.admin(a.adminKey, '/api/v1/credentials', {
      body: { name: 'secret-cred-a', type: 'webhook', values: { token: 't' } },
    });
    expect(credential.status).toBeLessThan(300);
    ids.credential = 'secret-cred-a';
  });
  afterAll(async () => api.close());

  function concrete(route: RouteEntry, real = true): string {
    const kind = /\/(journeys|segments|templates|contacts|credentials)\//.exec(route.path)?.[1];
    const pick = (id: string | undefined, fake: string) => (real ? (id ?? fake) : fake);
    const contact = pick('secret-contact-a', 'no-such-contact');
    return route.path
      .replace(/:contactId/g, contact)
      .replace(/:name/g, pick(ids.credential, 'no-such-credential'))
      .replace(/:version/g, '1')
      .replace(/:messageId/g, 'm1')
      .replace(
        /:id/g,
        kind === 'contacts'
          ? contact
          : kind === 'journeys'
            ? pick(ids.journey, 'j_000000000000')
            : kind === 'segments'
              ? pick(ids.segment, 'no-such-segment')
              : kind === 'templates'
                ? pick(ids.template, 'tpl_0000000000000000')
                : 'x',
      );
  }

  // POST /api/v1/sessions (sign-in) is the one public management route; roles.int.test.ts covers it.
  const management = () =>
    routeTable(api.app).filter(
      (r) => r.path.startsWith('/api/v1/') && !r.policies.some((p) => p.role === 'public'),
    );

  it('reads the route table', () => {
    expect(management().length).toBeGreaterThan(30);
  });

  it("answers B's key on A's objects exactly as on objects that do not exist", async () => {
    const leaks: string[] = [];
    for (const route of management().filter((r) => r.path.includes(':'))) {
      const path = concrete(route);
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const res = await api.admin(b.adminKey, path, { method: route.method, body });
      // The same request in A's own workspace on an id that does not exist: B must not learn more than that.
      const missing = concrete(route, false);
      const baseline = await api.admin(a.adminKey, missing, { method: route.method, body });
      if (res.status < 300)
        leaks.push(`${route.method} ${path} → ${res.status} (acted on another workspace's object)`);
      else if (route.method === 'GET' && res.status !== 404)
        leaks.push(`${route.method} ${path} → ${res.status} (expected 404)`);
      else if (res.status !== baseline.status)
        leaks.push(
          `${route.method} ${path} → ${res.status}, but ${baseline.status} for an id that does not exist`,
        );
    }
    expect(leaks).toEqual([]);
  });

  it("never shows A's objects in B's lists", async () => {
    const leaks: string[] = [];
    for (const route of management().filter((r) => r.method === 'GET' && !r.path.includes(':'))) {
      const text = await (await api.admin(b.adminKey, route.path)).text();
      for (const secret of [
        'secret-contact-a',
        'Secret segment A',
        'Secret journey A',
        'Secret template A',
        'secret-cred-a',
      ]) {
        if (text.includes(secret)) leaks.push(`${route.path} shows ${secret}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('still serves A its own objects (the substitutions are real)', async () => {
    expect((await api.admin(a.adminKey, `/api/v1/journeys/${ids.journey}`)).status).toBe(200);
    expect((await api.admin(a.adminKey, `/api/v1/segments/${ids.segment}`)).status).toBe(200);
    expect((await api.admin(a.adminKey, `/api/v1/templates/${ids.template}`)).status).toBe(200);
    expect((await api.admin(a.adminKey, '/api/v1/contacts/secret-contact-a')).status).toBe(200);
  });

  it('refuses every management route without a key (401) and with a write key (403)', async () => {
    const wrong: string[] = [];
    for (const route of management()) {
      const path = concrete(route);
      const none = await api.fetch(path, { method: route.method });
      if (none.status !== 401) wrong.push(`no key: ${route.method} ${path} → ${none.status}`);
      const write = await api.admin(a.writeKey, path, {
        method: route.method,
        body: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      });
      if (write.status !== 403) wrong.push(`write key: ${route.method} ${path} → ${write.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
