// Long on purpose: builds the OpenAPI document (paths, components, problems) from the contract.
import type { Application } from 'express';
import { z } from 'zod';
import { ProblemSchema, routeContract, type RouteContract } from '@cairn/contract';
import { JourneyDefinitionSchema, SegmentDefinitionSchema } from '@cairn/core';
import { exampleOf, type JsonSchema } from './openapi-examples.js';

/** One route as Express serves it; `path` keeps Express's `:param` syntax. */
export interface ServedRoute {
  method: string;
  path: string;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/**
 * Every string-path route the app serves, read from Express's own router, so a route added later is
 * documented without anyone remembering to list it here. Regex routes (the designer's client-side
 * fallback) are not API routes and are skipped.
 */
export function servedRoutes(app: Application): ServedRoute[] {
  const out: ServedRoute[] = [];
  const seen = new Set<string>();
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        if (typeof layer.route.path !== 'string') continue;
        for (const method of Object.keys(layer.route.methods)) {
          if (method === '_all') continue;
          const route = { method: method.toUpperCase(), path: prefix + layer.route.path };
          const key = `${route.method} ${route.path}`;
          if (!seen.has(key)) out.push(route);
          seen.add(key);
        }
      } else if (layer.handle.stack) {
        const mount =
          typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

/** `/segments/:id/why/:contactId` → `/segments/{id}/why/{contactId}`. */
export function openApiPath(expressPath: string): { path: string; params: string[] } {
  const params: string[] = [];
  const path = expressPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path, params };
}

export { ProblemSchema };

type Auth = 'writeKey' | 'adminKey' | 'none' | 'instanceAdmin';

/** The Segment calls /v1 takes one by one; their payload schemas are named `<Type>Payload`. */
const INGEST_TYPES = ['Identify', 'Track', 'Page', 'Screen', 'Group', 'Alias'];

/** What the contract cannot tell: one line per route, for the reader of the document. */
const SUMMARIES: Record<string, string> = {
  'GET /healthz': 'Liveness: the process answers.',
  'GET /readyz':
    'Readiness: MongoDB and Temporal are reachable (503 naming the one that is not); `ingestion` tells how far folding events into profiles is behind.',
  'GET /openapi.json': 'This document.',
  'GET /docs': 'This document as a readable page.',
  'POST /v1/identify': 'Who the user is: sets traits on their profile.',
  'POST /v1/track': 'Something the user did, e.g. "Order Completed", with its properties.',
  'POST /v1/page': 'A page view on a website.',
  'POST /v1/screen': 'A screen view in a mobile app.',
  'POST /v1/group': 'Links the user to a company, account or team.',
  'POST /v1/alias': 'Merges a previous identity into a user id.',
  'POST /v1/batch':
    'Several calls in one request (at most 2500 events, 500 KB); invalid items are reported, valid ones stored. Answers once the events are appended; `?wait=folded` answers once they are in the profiles.',
  'GET /t/o/:file': 'Open-tracking pixel embedded in sent emails.',
  'GET /t/c/:token': 'Click tracking: records the click and redirects to the link.',
  'GET /t/u/:token': 'Unsubscribe page linked from sent emails.',
  'POST /t/u/:token': 'One-click unsubscribe (RFC 8058, List-Unsubscribe-Post).',
  'GET /v1/in-app/messages': 'In-app messages waiting for a user.',
  'POST /v1/in-app/messages/:messageId/ack': 'Marks an in-app message as seen.',
  'POST /api/v1/sessions':
    'Signs a user in with email and password; the token goes in Authorization: Bearer.',
  'GET /api/v1/admin/workspaces':
    'Lists every workspace of this installation (instance admin: CAIRN_ADMIN_TOKEN).',
  'POST /api/v1/admin/workspaces':
    'Creates a workspace with a write key, an admin key and optionally a first admin user; keys and a generated password are answered once (instance admin: CAIRN_ADMIN_TOKEN).',
  'GET /api/v1/me': 'The workspace of the presented admin key.',
  'PATCH /api/v1/workspace/settings':
    'Changes the workspace (admin): `name`; `timezone`, the IANA zone whose midnight turns whole-day segment windows and which date-triggered journeys fall back to; `sender` (name, address, optional smtp credential), the from of email steps that leave it empty (null removes it: CAIRN_EMAIL_FROM).',
  'GET /api/v1/contacts': 'Lists or searches contacts.',
  'GET /api/v1/contacts/:contactId':
    'A contact with profile, recent events, segments and journeys.',
  'DELETE /api/v1/contacts/:contactId': 'Deletes a contact and their data.',
  'GET /api/v1/schema/events':
    'Event names and properties seen in this workspace, for building segments.',
  'GET /api/v1/schema/metrics': 'Computed profile metrics segments can use.',
  'POST /api/v1/imports':
    'Bulk import of contacts and historical events; answers NDJSON progress lines. Imported events start no event-triggered journey unless ?startJourneys=true.',
  'GET /api/v1/contacts/:id/subscriptions': 'Per-channel subscription state of a contact.',
  'PUT /api/v1/contacts/:id/subscriptions': 'Subscribes or unsubscribes a contact per channel.',
  'GET /api/v1/contacts/:id/deliveries': 'Messages sent to a contact, newest first.',
  'POST /api/v1/templates/preview': 'Renders a template for a contact without sending it.',
  'POST /api/v1/templates/test-send':
    'Renders a template for a contact and emails it, marked [Test], through the configured SMTP server.',
  'GET /api/v1/templates': 'Lists message templates.',
  'POST /api/v1/templates': 'Creates a message template.',
  'GET /api/v1/templates/:id': 'A template with its latest content.',
  'PUT /api/v1/templates/:id': 'Saves a new version of a template.',
  'DELETE /api/v1/templates/:id': 'Deletes a template.',
  'GET /api/v1/templates/:id/versions': 'Saved versions of a template.',
  'GET /api/v1/templates/:id/versions/:version': 'One saved version of a template.',
  'GET /api/v1/credentials': 'Lists credentials (names and fields, never values).',
  'POST /api/v1/credentials': 'Stores an encrypted credential for actions.',
  'GET /api/v1/credentials/:name': 'A credential (type and field names, never values).',
  'PUT /api/v1/credentials/:name': 'Replaces the values of a credential.',
  'DELETE /api/v1/credentials/:name': 'Deletes a credential.',
  'POST /api/v1/credentials/:name/test-send':
    "Sends one test message through a stored smtp credential, as the workspace sender, and answers the server's reply; 502 names what the server (or the connection) said when it refused.",
  'GET /api/v1/segments': 'Lists segments.',
  'GET /api/v1/segments/templates': 'Ready-made segment definitions to start from.',
  'POST /api/v1/segments/preview':
    'Counts and samples who a definition would match, without saving it.',
  'POST /api/v1/segments': 'Creates a segment.',
  'GET /api/v1/segments/:id': 'A segment with its definition and member count.',
  'PUT /api/v1/segments/:id': 'Updates a segment.',
  'DELETE /api/v1/segments/:id': 'Deletes a segment.',
  'GET /api/v1/segments/:id/members': 'Contacts currently in the segment.',
  'GET /api/v1/segments/:id/members.csv':
    'Every member of the segment as CSV (id, the trait columns asked for, since, lastSeenAt), streamed.',
  'GET /api/v1/segments/:id/history': 'Daily entries and exits.',
  'GET /api/v1/segments/:id/why/:contactId':
    'Explains, condition by condition, why a contact is in or out.',
  'GET /api/v1/contacts/:contactId/segments/history': 'When a contact entered and left segments.',
  'GET /api/v1/journeys': 'Lists journeys.',
  'GET /api/v1/journeys/templates': 'Ready-made journeys to start from.',
  'POST /api/v1/journeys/from-template':
    'Creates a draft journey from a template, its parameters applied.',
  'POST /api/v1/journeys/validate': 'Validates a journey definition without saving it.',
  'POST /api/v1/journeys': 'Creates a draft journey.',
  'POST /api/v1/journeys/import': 'Imports a journey exported from another workspace.',
  'GET /api/v1/journeys/:id': 'A journey with its draft and published versions.',
  'PUT /api/v1/journeys/:id': 'Saves the draft of a journey.',
  'GET /api/v1/journeys/:id/publish-preview':
    'Before publishing: for a segment-entry journey, how many contacts are in its segment now (who `enrollExisting` would enrol).',
  'POST /api/v1/journeys/:id/publish':
    'Publishes the draft as a new version; `enrollExisting` also enrols the segment’s current members.',
  'POST /api/v1/journeys/:id/pause': 'Pauses a published journey.',
  'POST /api/v1/journeys/:id/resume': 'Resumes a paused journey.',
  'POST /api/v1/journeys/:id/archive': 'Archives a journey.',
  'GET /api/v1/journeys/:id/versions/:version': 'One published version of a journey.',
  'GET /api/v1/journeys/:id/stats':
    'How many contacts entered, are waiting and finished, per node.',
  'POST /api/v1/journeys/:id/enroll': 'Enrols one contact now.',
  'GET /api/v1/journeys/:id/export': 'The journey as a portable file.',
  'GET /api/v1/journeys/:id/funnel':
    'Step funnel over a period of UTC days: entered, reached per step in graph order, converted, exits by reason.',
  'GET /api/v1/journeys/:id/runs.csv':
    "Every contact's latest run of the journey as CSV (contactId, status, currentNode, enteredAt, finishedAt, exitReason), streamed.",
  'POST /api/v1/journeys/:id/simulate':
    'Dry-runs the journey for one contact (stored or made up) and a script of events on a virtual clock: the path taken and the messages it would send. Nothing is sent or stored.',
  'GET /api/v1/catalog/actions': 'The actions journeys can use, with their settings schemas.',
  'GET /api/v1/ingestion':
    "How far this workspace's profiles are behind its events: events appended but not folded yet, and the oldest one's age.",
  'GET /api/v1/debugger/events':
    "The event debugger: this workspace's last accepted events (at most 200) and refused /v1 calls (at most 100, with their field errors and a cut copy of the body), newest first, filtered by `userId` (or anonymousId) and `event` (case-insensitive, part of the value), with the fold lag.",
  'POST /api/v1/ingestion/retry-parked':
    'Hands folds that were parked (a contact whose events could not be folded) back to the sweeper, after a fix (admin).',
  'DELETE /api/v1/sessions/current': 'Signs the current user out.',
  'GET /api/v1/users': 'Lists the users of the workspace (admin).',
  'POST /api/v1/users':
    'Adds a user with a role; answers a generated password once when none is given (admin).',
  'PUT /api/v1/users/:email': "Changes a user's name, role or password, or disables them (admin).",
  'DELETE /api/v1/users/:email':
    'Removes a user and ends their sessions (admin); you cannot remove yourself.',
  'GET /api/v1/keys': 'Lists API keys, never their secrets (admin).',
  'POST /api/v1/keys': 'Creates an API key; its full text is answered once (admin).',
  'DELETE /api/v1/keys/:id': 'Revokes an API key (admin).',
  'GET /api/v1/audit': 'The audit log: who changed what and when, newest first.',
  'GET /api/v1/settings/affinities':
    'The affinities the profile fold counts beyond product categories (event + property).',
  'PUT /api/v1/settings/affinities':
    'Replaces the affinity definitions; events folded from then on count them (affinities.<name>.top).',
  'GET /api/v1/settings/send-limits':
    'Per-channel send rate limits of the workspace (e.g. email: 100 per 1 minute).',
  'PUT /api/v1/settings/send-limits':
    'Replaces the send rate limits; sends over a limit wait for the next window and count as "throttled" on their step.',
};

/** Bodies that are not JSON (the contract's `body` is JSON only). */
const RAW_BODIES: Record<
  string,
  { raw: Record<string, { schema: Record<string, unknown>; example: string }>; description: string }
> = {
  'POST /api/v1/imports': {
    description: 'One Segment payload per line (NDJSON) or a CSV with a header row.',
    raw: {
      'application/x-ndjson': {
        schema: { type: 'string' },
        example:
          '{"type":"identify","userId":"user-1","traits":{"email":"ana@example.com","plan":"pro"}}\n' +
          '{"type":"track","userId":"user-1","event":"Order Completed","properties":{"revenue":40},"timestamp":"2025-11-02T10:00:00Z"}',
      },
      'text/csv': {
        schema: { type: 'string' },
        example: 'userId,traits.email,traits.plan\nuser-1,ana@example.com,pro',
      },
    },
  },
};

/** What a reader sees of a media answer that has no JSON schema. */
const MEDIA_EXAMPLES: Record<string, string> = {
  'text/csv': 'contactId,status,...\nuser-1,converted,...',
  'text/html': '<!doctype html><html>...</html>',
  'text/plain': 'Unsubscribed.',
  'image/gif': 'GIF89a...',
  'application/json': '{"openapi":"3.1.0",...}',
};

/** Pro-plan contacts who ordered at least twice but not in the last 30 days. */
const SEGMENT_DEFINITION_EXAMPLE = {
  type: 'all',
  conditions: [
    { type: 'trait', field: 'plan', operator: 'eq', value: 'pro' },
    {
      type: 'event',
      check: 'performed',
      event: 'Order Completed',
      count: { operator: 'atLeast', value: 2 },
    },
    {
      type: 'event',
      check: 'notPerformed',
      event: 'Order Completed',
      window: { amount: 30, unit: 'days' },
    },
  ],
};

/** Enters the segment, waits 3 days, sends the win-back email, leaves. */
const JOURNEY_DEFINITION_EXAMPLE = {
  name: 'Win-back',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: true, holdoutPercent: 0 },
  nodes: [
    {
      id: 'trigger',
      kind: 'trigger',
      trigger: { type: 'segmentEntered', segmentId: 'seg_1a2b3c4d' },
    },
    { id: 'wait', kind: 'delay', duration: { amount: 3, unit: 'days' } },
    {
      id: 'mail',
      kind: 'action',
      label: 'Win-back',
      action: { type: 'email', version: 1 },
      config: {
        subject: 'We miss you, {{ contact.traits.firstName }}',
        html: '<p>Hello {{ contact.traits.firstName }}, 10% off your next order.</p>',
      },
    },
    { id: 'done', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'wait' },
    { id: 'e2', source: 'wait', sourceHandle: 'next', target: 'mail' },
    { id: 'e3', source: 'mail', sourceHandle: 'sent', target: 'done' },
    { id: 'e4', source: 'mail', sourceHandle: 'skipped', target: 'done' },
  ],
};

/** The `METHOD /path` keys summarised above: a test checks each still names a served route. */
export function documentedRoutes(): string[] {
  return Object.keys(SUMMARIES);
}

/** Routes that answer without touching MongoDB or Temporal, so they cannot answer 503. */
const NO_DEPENDENCIES = new Set(['/healthz', '/openapi.json', '/docs']);

function authOf(path: string): Auth {
  if (path === '/api/v1/sessions') return 'none'; // sign-in itself
  if (path.startsWith('/api/v1/admin/')) return 'instanceAdmin';
  if (path.startsWith('/api/v1/')) return 'adminKey';
  if (path.startsWith('/v1/')) return 'writeKey';
  return 'none';
}

function tagOf(path: string): string {
  if (/^\/v1\/(identify|track|page|screen|group|alias|batch)$/.test(path)) return 'Ingestion';
  if (path.startsWith('/v1/in-app')) return 'In-app messages';
  if (path.startsWith('/t/')) return 'Email tracking';
  const management = /^\/api\/v1\/([^/]+)/.exec(path);
  if (management?.[1]) {
    const word = management[1] === 'me' ? 'workspace' : management[1];
    return word.charAt(0).toUpperCase() + word.slice(1);
  }
  if (path === '/openapi.json' || path === '/docs') return 'Documentation';
  return 'Operations';
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  Ingestion:
    'Segment-compatible HTTP Tracking API: point a Segment or RudderStack library at this host. Authenticate with the write key as the HTTP Basic username.',
  'In-app messages':
    'Read and acknowledge in-app messages from a browser or app with the write key.',
  'Email tracking':
    'Open pixels, click redirects and unsubscribe links embedded in sent emails; the token authenticates.',
};

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

export type { JsonSchema };

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description: string };
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
}

export interface OpenApiOperation {
  tags: string[];
  summary: string;
  operationId: string;
  security: Record<string, string[]>[];
  parameters: {
    name: string;
    in: 'path' | 'query';
    required: boolean;
    schema: JsonSchema;
    description?: string;
  }[];
  requestBody?: {
    required: boolean;
    description?: string;
    content: Record<string, { schema: JsonSchema; example?: unknown }>;
  };
  responses: Record<string, unknown>;
}

/** zod → JSON Schema for the whole registry at once, so shared sub-schemas become named components. */
function componentSchemas(
  registry: z.core.$ZodRegistry<z.core.GlobalMeta>,
): Record<string, JsonSchema> {
  const generated = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const schemas: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    if (id === '__shared') {
      // Recursive sub-schemas (e.g. nested segment condition groups) land here; lift them to components.
      for (const [name, def] of Object.entries((schema.$defs ?? {}) as Record<string, JsonSchema>))
        schemas[`Shared_${name}`] = def;
      continue;
    }
    const { $schema: _s, $id: _i, ...rest } = schema;
    schemas[id] = rest;
  }
  const text = JSON.stringify(schemas).replace(
    /#\/components\/schemas\/__shared#\/\$defs\/([A-Za-z0-9_]+)/g,
    '#/components/schemas/Shared_$1',
  );
  return JSON.parse(text) as Record<string, JsonSchema>;
}

function queryParameters(schema: z.ZodObject): OpenApiOperation['parameters'] {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as { properties?: Record<string, JsonSchema>; required?: string[] };
  const output = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
  }) as { properties?: Record<string, JsonSchema> };
  return Object.keys(json.properties ?? {}).map((name) => {
    // Query strings arrive as text and are coerced; the output type says what the value means.
    const { $schema: _s, ...schemaOf } = output.properties?.[name] ?? json.properties?.[name] ?? {};
    return {
      name,
      in: 'query' as const,
      required: (json.required ?? []).includes(name),
      schema: schemaOf,
    };
  });
}

/** The success answer of a route as the document shows it: a named schema, or a media type with an example. */
function successResponse(
  contract: RouteContract | undefined,
  ref: string | undefined,
  schemas: Record<string, JsonSchema>,
): unknown {
  const answer = contract?.answer;
  if (!answer) return { description: 'Not described by @cairn/contract yet.' };
  if ('empty' in answer) return { description: 'Done; no content.' };
  const example = ref ? exampleOf({ $ref: ref }, schemas) : undefined;
  if ('json' in answer)
    return {
      description: 'Success.',
      content: { 'application/json': { schema: { $ref: ref }, example } },
    };
  const schema = ref ? { $ref: ref } : { type: 'string' };
  return {
    description: answer.description,
    content: {
      [answer.media]: {
        schema,
        // NDJSON answers one such object per line.
        example: ref ? JSON.stringify(example) : (MEDIA_EXAMPLES[answer.media] ?? '...'),
      },
    },
  };
}

/** The OpenAPI 3.1 document of every route `app` serves, built from the routes' own zod schemas. */
export function buildOpenApiDocument(
  app: Application,
  info: { version?: string } = {},
): OpenApiDocument {
  const routes = servedRoutes(app).map((route) => ({
    route,
    contract: routeContract(route.method, route.path),
  }));
  const registry = z.registry<z.core.GlobalMeta>();
  const named = (schema: z.ZodType, id: string) => {
    if (!registry.has(schema)) registry.add(schema, { id });
    return `#/components/schemas/${registry.get(schema)?.id ?? id}`;
  };
  named(ProblemSchema, 'Problem');
  named(SegmentDefinitionSchema, 'SegmentDefinition');
  named(JourneyDefinitionSchema, 'JourneyDefinition');
  const refs = new Map<RouteContract, { body?: string; answer?: string }>();
  for (const { contract } of routes) {
    if (!contract || refs.has(contract)) continue;
    const { body, answer } = contract;
    refs.set(contract, {
      ...(body ? { body: named(body.doc ?? body.schema, body.id) } : {}),
      ...('json' in answer ? { answer: named(answer.json, answer.id) } : {}),
      ...('lines' in answer && answer.lines
        ? { answer: named(answer.lines.schema, answer.lines.id) }
        : {}),
    });
  }
  const schemas = componentSchemas(registry);
  // The two definitions a reader writes by hand get a real one; other examples are built from the schema.
  schemas.SegmentDefinition = {
    ...schemas.SegmentDefinition,
    examples: [SEGMENT_DEFINITION_EXAMPLE],
  };
  schemas.JourneyDefinition = {
    ...schemas.JourneyDefinition,
    examples: [JOURNEY_DEFINITION_EXAMPLE],
  };

  // The ingestion routes take the call type from the path, so `type` is optional in the body.
  for (const id of INGEST_TYPES) {
    const schema = schemas[`${id}Payload`];
    if (schema && Array.isArray(schema.required))
      schema.required = (schema.required as string[]).filter((f) => f !== 'type');
  }
  const batch = schemas.BatchPayload as { properties?: { batch?: JsonSchema } } | undefined;
  if (batch?.properties?.batch) {
    batch.properties.batch.items = {
      description: 'Each item is a call with its "type"; items are validated one by one.',
      oneOf: INGEST_TYPES.map((id) => ({ $ref: `#/components/schemas/${id}Payload` })),
    };
  }

  const paths: OpenApiDocument['paths'] = {};
  const tags = new Map<string, string | undefined>();
  for (const { route, contract } of routes) {
    const key = `${route.method} ${route.path}`;
    const ref = contract ? refs.get(contract) : undefined;
    const raw = RAW_BODIES[key];
    const { path, params } = openApiPath(route.path);
    const auth = authOf(route.path);
    const tag = tagOf(route.path);
    tags.set(tag, TAG_DESCRIPTIONS[tag]);
    const parameters: OpenApiOperation['parameters'] = params.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (contract?.query) parameters.push(...queryParameters(contract.query));

    const status = contract?.status ?? 200;
    const responses: Record<string, unknown> = {
      [String(status)]: successResponse(contract, ref?.answer, schemas),
    };
    if (contract?.body || raw || contract?.query || params.length > 0 || route.method !== 'GET')
      responses['400'] = problemResponse('Invalid input: `errors` names each field and the fix.');
    if (auth !== 'none') {
      responses['401'] = problemResponse('Missing, unknown or revoked key.');
      if (auth === 'instanceAdmin')
        responses['403'] = problemResponse(
          'The token is not CAIRN_ADMIN_TOKEN (workspace keys and sessions never pass), or CAIRN_ADMIN_TOKEN is not set.',
        );
      if (auth === 'adminKey')
        responses['403'] = problemResponse(
          "A write key was used where an admin key is required, or the user's role is below the one the route needs.",
        );
    }
    if (params.length > 0) responses['404'] = problemResponse('No such object in this workspace.');
    if (auth === 'writeKey' && route.method === 'POST')
      responses['413'] = problemResponse('The body is too large.');
    // The per-key (per-address for /t) limits in app.ts cover every /v1, /t and /api/v1 route.
    if (/^\/(v1|t|api\/v1)(\/|$)/.test(route.path))
      responses['429'] = problemResponse(
        'Rate limit reached for this key; retry after Retry-After seconds (limits: CAIRN_RATE_LIMIT_INGEST_PER_MINUTE, CAIRN_RATE_LIMIT_API_PER_MINUTE).',
      );
    if (!NO_DEPENDENCIES.has(route.path))
      responses['503'] = problemResponse(
        'A dependency (database or Temporal) is unreachable; retry after Retry-After seconds.',
      );

    const operation: OpenApiOperation = {
      tags: [tag],
      summary: SUMMARIES[key] ?? `${route.method} ${path}`,
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      security:
        auth === 'adminKey'
          ? [{ adminKey: [] }]
          : auth === 'instanceAdmin'
            ? [{ instanceAdminToken: [] }]
            : auth === 'writeKey'
              ? [{ writeKey: [] }, { writeKeyBearer: [] }]
              : [],
      parameters,
      responses,
    };
    if (ref?.body) {
      operation.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: ref.body },
            example: exampleOf({ $ref: ref.body }, schemas),
          },
        },
      };
    } else if (raw) {
      operation.requestBody = { required: true, description: raw.description, content: raw.raw };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Cairn API',
      version: info.version ?? '0.1.0',
      description:
        'Segment-compatible event ingestion under /v1 (write key) and the management API under /api/v1 (admin key). Every error is application/problem+json.',
    },
    tags: [...tags].map(([name, description]) => (description ? { name, description } : { name })),
    paths,
    components: {
      schemas,
      securitySchemes: {
        writeKey: {
          type: 'http',
          scheme: 'basic',
          description:
            'The workspace write key as the username, empty password, as Segment libraries send it.',
        },
        writeKeyBearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The write key as a Bearer token.',
        },
        adminKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'An admin key: Authorization: Bearer <adminKey>.',
        },
        instanceAdminToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            "The instance admin's token, the API's CAIRN_ADMIN_TOKEN: creates and lists workspaces.",
        },
      },
    },
  };
}
