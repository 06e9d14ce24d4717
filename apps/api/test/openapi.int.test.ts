import { startApi, type RunningApi } from './harness';
import { routeTable } from './route-table';
import { ROUTES, type RouteContract } from '@cairn/contract';
import { JourneyDefinitionSchema, SegmentDefinitionSchema } from '@cairn/core';
import { documentedRoutes, servedRoutes } from '../src/openapi';

interface Doc {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        security: unknown[];
        parameters: { name: string; in: string }[];
        requestBody?: { content: Record<string, { schema: { $ref?: string }; example?: unknown }> };
        responses: Record<
          string,
          { content?: Record<string, { schema: { $ref?: string }; example?: unknown }> }
        >;
      }
    >
  >;
  components: {
    schemas: Record<
      string,
      { required?: string[]; properties?: Record<string, unknown>; examples?: unknown[] }
    >;
  };
}

const toOpenApi = (path: string) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
const refName = (ref: string | undefined) => ref?.replace('#/components/schemas/', '') ?? '';

describe('OpenAPI document and docs page', () => {
  let api: RunningApi;
  let doc: Doc;
  beforeAll(async () => {
    api = await startApi();
    const res = await api.fetch('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    doc = JSON.parse(await res.text()) as Doc;
  });
  afterAll(async () => api.close());

  it('is public, parses as OpenAPI 3.1 and documents every /v1 and /api/v1 route of the route table', () => {
    expect(doc.openapi).toBe('3.1.0');
    const apiRoutes = routeTable(api.app).filter(
      (r) => r.path.startsWith('/v1/') || r.path.startsWith('/api/v1/'),
    );
    expect(apiRoutes.length).toBeGreaterThan(30);
    const missing = apiRoutes
      .filter((r) => !doc.paths[toOpenApi(r.path)]?.[r.method.toLowerCase()])
      .map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
  });

  it('documents the 429 of the rate limits on every rate-limited route', () => {
    const limited = routeTable(api.app).filter((r) => /^\/(v1|api\/v1)\//.test(r.path));
    const without = limited
      .filter((r) => !doc.paths[toOpenApi(r.path)]?.[r.method.toLowerCase()]?.responses['429'])
      .map((r) => `${r.method} ${r.path}`);
    expect(without).toEqual([]);
    expect(doc.paths['/healthz']?.get?.responses['429']).toBeUndefined();
  });

  it('has no stale route docs: every documented route is still served', () => {
    const served = new Set(routeTable(api.app).map((r) => `${r.method} ${r.path}`));
    expect(documentedRoutes().filter((key) => !served.has(key))).toEqual([]);
  });

  it('gives the track body the core schema, which requires event (type comes from the path)', () => {
    const op = doc.paths['/v1/track']?.post;
    expect(op?.security).toEqual(expect.arrayContaining([{ writeKey: [] }]));
    const track =
      doc.components.schemas[refName(op?.requestBody?.content['application/json']?.schema.$ref)];
    expect(track?.required).toContain('event');
    expect(track?.required).not.toContain('type');
    expect(track?.properties).toHaveProperty('properties');
  });

  it('documents management routes with bearer auth, path parameters and their zod bodies', () => {
    const create = doc.paths['/api/v1/segments']?.post;
    expect(create?.security).toEqual([{ adminKey: [] }]);
    const body =
      doc.components.schemas[
        refName(create?.requestBody?.content['application/json']?.schema.$ref)
      ];
    expect(body?.required).toEqual(expect.arrayContaining(['name', 'definition']));
    expect(body?.properties?.definition).toEqual({
      $ref: '#/components/schemas/SegmentDefinition',
    });

    const why = doc.paths['/api/v1/segments/{id}/why/{contactId}']?.get;
    expect(why?.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual([
      'id',
      'contactId',
    ]);
    expect(doc.paths['/api/v1/contacts']?.get?.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(['q', 'limit', 'cursor']),
    );
    expect(doc.paths['/api/v1/journeys']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/credentials']?.post?.requestBody).toBeDefined();
    expect(doc.paths['/api/v1/templates']?.post?.requestBody).toBeDefined();
  });

  it('points every error response at the shared Problem schema, and every $ref resolves', () => {
    expect(doc.components.schemas.Problem?.required).toEqual(
      expect.arrayContaining(['type', 'title', 'status']),
    );
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        for (const [status, response] of Object.entries(op.responses)) {
          if (Number(status) < 400) continue;
          expect({
            at: `${method} ${path} ${status}`,
            ref: response.content?.['application/problem+json']?.schema.$ref,
          }).toEqual({
            at: `${method} ${path} ${status}`,
            ref: '#/components/schemas/Problem',
          });
        }
      }
    }
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
    const dangling = [...new Set(refs)]
      .map((r) => r.slice(8, -1))
      .filter((r) => !doc.components.schemas[refName(r)]);
    expect(dangling).toEqual([]);
  });

  it('has a contract entry in @cairn/contract for exactly the routes the app serves', () => {
    // String paths only: the designer's client-side fallback is a regex route, not an API route.
    const served = servedRoutes(api.app).map((r) => `${r.method} ${r.path}`);
    expect(served.filter((key) => !(key in ROUTES))).toEqual([]);
    expect(Object.keys(ROUTES).filter((key) => !served.includes(key))).toEqual([]);
  });

  it('describes every success answer: a named schema or an example, never an empty schema', () => {
    const undescribed: string[] = [];
    let named = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const success = Object.entries(op.responses).filter(([status]) => /^[23]/.test(status));
        expect({ at: `${method} ${path}`, successes: success.length }).toEqual({
          at: `${method} ${path}`,
          successes: 1,
        });
        const [status, response] = success[0]!;
        if (status === '204') continue;
        const media = Object.values(response.content ?? {});
        const described =
          media.length > 0 &&
          media.every(
            (m) =>
              JSON.stringify(m.schema) !== '{}' &&
              (m.schema.$ref !== undefined || m.example !== undefined),
          );
        if (!described) undescribed.push(`${method.toUpperCase()} ${path} ${status}`);
        if (media.some((m) => m.schema.$ref)) named++;
      }
    }
    expect(undescribed).toEqual([]);
    expect(named).toBeGreaterThan(70);
    // Spot checks that the answers are the handlers' real shapes.
    const stats =
      doc.components.schemas[
        refName(
          doc.paths['/api/v1/journeys/{id}/stats']?.get?.responses['200']?.content?.[
            'application/json'
          ]?.schema.$ref,
        )
      ];
    expect(stats?.required).toEqual(expect.arrayContaining(['nodes', 'series', 'holdout']));
    const contacts =
      doc.components.schemas[
        refName(
          doc.paths['/api/v1/contacts']?.get?.responses['200']?.content?.['application/json']
            ?.schema.$ref,
        )
      ];
    expect(contacts?.properties).toHaveProperty('nextCursor');
  });

  it('gives every operation a non-empty success schema and an example of its body and answer', () => {
    const missing: string[] = [];
    let operations = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations++;
        const at = `${method.toUpperCase()} ${path}`;
        const [status, success] = Object.entries(op.responses).find(([s]) => /^[23]/.test(s))!;
        if (status !== '204') {
          const media = Object.entries(success.content ?? {});
          if (media.length === 0) missing.push(`${at}: no success content`);
          for (const [type, m] of media) {
            if (JSON.stringify(m.schema) === '{}') missing.push(`${at} ${type}: empty schema`);
            if (m.example === undefined || m.example === '')
              missing.push(`${at} ${status} ${type}: no example`);
          }
        }
        for (const [type, m] of Object.entries(op.requestBody?.content ?? {}))
          if (m.example === undefined || m.example === '')
            missing.push(`${at} body ${type}: no example`);
      }
    }
    expect(operations).toBeGreaterThan(90);
    expect(missing).toEqual([]);
  });

  it("shows examples that the routes' own schemas accept", () => {
    const refused: string[] = [];
    for (const [key, contract] of Object.entries(ROUTES) as [string, RouteContract][]) {
      const [method, path] = key.split(' ') as [string, string];
      const op = doc.paths[toOpenApi(path)]?.[method.toLowerCase()];
      if (!op) continue;
      const check = (
        what: string,
        schema: {
          safeParse(v: unknown): {
            success: boolean;
            error?: { issues: { path: PropertyKey[]; message: string }[] };
          };
        },
        example: unknown,
      ) => {
        const parsed = schema.safeParse(example);
        if (!parsed.success)
          refused.push(
            `${key} ${what}: ${parsed.error!.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
          );
      };
      if (contract.body)
        check('body', contract.body.schema, op.requestBody?.content['application/json']?.example);
      if ('json' in contract.answer) {
        const success = Object.entries(op.responses).find(([s]) => /^2/.test(s))![1];
        check('answer', contract.answer.json, success.content?.['application/json']?.example);
      }
    }
    expect(refused).toEqual([]);
    // The two definitions a reader copies are real ones, not a schema's placeholders.
    const segment = doc.components.schemas.SegmentDefinition?.examples?.[0];
    expect(SegmentDefinitionSchema.safeParse(segment).success).toBe(true);
    expect(JSON.stringify(segment)).toContain('Order Completed');
    const journey = doc.components.schemas.JourneyDefinition?.examples?.[0];
    expect(JourneyDefinitionSchema.safeParse(journey).success).toBe(true);
    expect(
      doc.paths['/api/v1/journeys']?.post?.requestBody?.content['application/json']?.example,
    ).toMatchObject({ definition: journey });
  });

  it('serves /docs as server-rendered HTML listing the routes, without scripts', async () => {
    const res = await api.fetch('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('/v1/track');
    expect(html).toContain('/api/v1/segments/{id}/members');
    expect(html).not.toMatch(/<script/i);
    // Schema text is escaped: JSON quotes never appear raw inside <pre>.
    expect(html).toContain('&quot;event&quot;');
    // Each route shows its answer's schema next to its body's.
    const keys = html.slice(html.indexOf('id="post-api-v1-keys"'));
    const section = keys.slice(0, keys.indexOf('</section>'));
    expect(section).toContain('KeyCreate');
    expect(section).toMatch(/Answer 201/);
    expect(section).toContain('ApiKeyCreated');
    // Each route shows an example request and answer, escaped like the schemas.
    const segments = html.slice(html.indexOf('id="post-api-v1-segments"'));
    const create = segments.slice(0, segments.indexOf('</section>'));
    expect(create.match(/<p>Example:<\/p>/g)).toHaveLength(2);
    expect(create).toContain('&quot;Order Completed&quot;');
    const batch = html.slice(html.indexOf('id="post-v1-batch"'));
    expect(batch.slice(0, batch.indexOf('</section>'))).toContain('&quot;batch&quot;: [');
  });
});
