import type { Application } from 'express';
import { z } from 'zod';
import {
  AliasPayloadSchema,
  BatchPayloadSchema,
  GroupPayloadSchema,
  IdentifyPayloadSchema,
  JourneyDefinitionSchema,
  PagePayloadSchema,
  ScreenPayloadSchema,
  SegmentDefinitionSchema,
  TrackPayloadSchema,
} from '@cairn/core';
import { ackBody, userQuery } from './routes/in-app.js';
import { AffinitiesBody } from './routes/settings.js';
import { WorkspaceSettingsBody } from './routes/workspace.js';
import { TestSendBody } from './routes/test-send.js';
import { CreateWorkspaceBody } from './routes/instance.js';
import { SendLimitsBody } from './routes/send-limits.js';
import { deliveriesQuery, subscriptionsBody } from './routes/consent.js';
import { ListQuery as contactListQuery } from './routes/contacts.js';
import { debuggerQuery } from './routes/ingestion.js';
import {
  createBody as credentialCreateBody,
  replaceBody as credentialReplaceBody,
} from './routes/credentials.js';
import {
  AuditQuery,
  CreateKeyBody,
  CreateUserBody,
  SignInBody,
  UpdateUserBody,
} from './routes/access.js';
import {
  CreateBody as journeyCreateBody,
  EnrollBody as journeyEnrollBody,
  FromTemplateBody as journeyFromTemplateBody,
  PublishBody as journeyPublishBody,
  ImportBody as journeyImportBody,
  UpdateBody as journeyUpdateBody,
  ValidateBody as journeyValidateBody,
} from './routes/journeys.js';
import { SimulateBody as journeySimulateBody } from './routes/simulate.js';
import { FunnelQuery as journeyFunnelQuery, RunsExportQuery } from './routes/journey-analytics.js';
import {
  CreateBody as segmentCreateBody,
  HistoryQuery as segmentHistoryQuery,
  MembersQuery as segmentMembersQuery,
  PreviewBody as segmentPreviewBody,
  UpdateBody as segmentUpdateBody,
} from './routes/segments.js';
import { importQuery } from './routes/imports.js';
import {
  listQuery as templateListQuery,
  previewBody as templatePreviewBody,
  templateBody,
  testSendBody as templateTestSendBody,
  updateBody as templateUpdateBody,
} from './routes/templates.js';

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

/** RFC 9457 problem details, the body of every error the API answers (see http/problem.ts). */
export const ProblemSchema = z.object({
  type: z.string().describe('Always "about:blank": the status and title say what happened.'),
  title: z.string().describe('The HTTP reason phrase, e.g. "Bad Request".'),
  status: z.number().int(),
  detail: z.string().optional().describe('What went wrong and how to fix it.'),
  instance: z
    .string()
    .optional()
    .describe('urn:request:<X-Request-Id>, to find the request in the logs.'),
  errors: z
    .array(
      z.object({
        path: z.string().describe('The offending field, e.g. "definition.conditions[0].operator".'),
        message: z.string(),
      }),
    )
    .optional()
    .describe('One entry per invalid field.'),
});

type Auth = 'writeKey' | 'adminKey' | 'none' | 'instanceAdmin';

interface RouteDoc {
  summary?: string;
  body?:
    | { schema: z.ZodType; id: string }
    | { raw: Record<string, { schema: Record<string, unknown> }>; description: string };
  query?: z.ZodObject;
  status?: number;
}

const ingestTypes = {
  identify: [IdentifyPayloadSchema, 'Identify', 'Who the user is: sets traits on their profile.'],
  track: [
    TrackPayloadSchema,
    'Track',
    'Something the user did, e.g. "Order Completed", with its properties.',
  ],
  page: [PagePayloadSchema, 'Page', 'A page view on a website.'],
  screen: [ScreenPayloadSchema, 'Screen', 'A screen view in a mobile app.'],
  group: [GroupPayloadSchema, 'Group', 'Links the user to a company, account or team.'],
  alias: [AliasPayloadSchema, 'Alias', 'Merges a previous identity into a user id.'],
} as const;

/**
 * What the route table cannot tell: summaries and the zod schemas each route validates with. The
 * bodies are the routes' own schemas; where a route accepts `definition` loosely and validates it
 * afterwards with the domain schema, the document shows the domain schema a client must satisfy.
 */
const ROUTE_DOCS: Record<string, RouteDoc> = {
  ...Object.fromEntries(
    Object.entries(ingestTypes).map(([type, [schema, id, summary]]) => [
      `POST /v1/${type}`,
      { summary, body: { schema, id: `${id}Payload` } },
    ]),
  ),
  'POST /v1/batch': {
    summary:
      'Several calls in one request (at most 2500 events, 500 KB); invalid items are reported, valid ones stored. Answers once the events are appended; `?wait=folded` answers once they are in the profiles.',
    body: { schema: BatchPayloadSchema, id: 'BatchPayload' },
  },
  'GET /v1/in-app/messages': { summary: 'In-app messages waiting for a user.', query: userQuery },
  'POST /v1/in-app/messages/:messageId/ack': {
    summary: 'Marks an in-app message as seen.',
    body: { schema: ackBody, id: 'InAppAck' },
    status: 204,
  },

  'GET /healthz': { summary: 'Liveness: the process answers.' },
  'GET /readyz': {
    summary:
      'Readiness: MongoDB and Temporal are reachable (503 naming the one that is not); `ingestion` tells how far folding events into profiles is behind.',
  },
  'GET /openapi.json': { summary: 'This document.' },
  'GET /docs': { summary: 'This document as a readable page.' },
  'GET /t/o/:file': { summary: 'Open-tracking pixel embedded in sent emails.' },
  'GET /t/c/:token': { summary: 'Click tracking: records the click and redirects to the link.' },
  'GET /t/u/:token': { summary: 'Unsubscribe page linked from sent emails.' },
  'POST /t/u/:token': { summary: 'One-click unsubscribe (RFC 8058, List-Unsubscribe-Post).' },

  'GET /api/v1/me': { summary: 'The workspace of the presented admin key.' },
  'PATCH /api/v1/workspace/settings': {
    summary:
      'Changes the workspace (admin): `name`; `timezone`, the IANA zone whose midnight turns whole-day segment windows and which date-triggered journeys fall back to; `sender` (name, address, optional smtp credential), the from of email steps that leave it empty (null removes it: CAIRN_EMAIL_FROM).',
    body: { schema: WorkspaceSettingsBody, id: 'WorkspaceSettings' },
  },
  'POST /api/v1/credentials/:name/test-send': {
    summary:
      "Sends one test message through a stored smtp credential, as the workspace sender, and answers the server's reply; 502 names what the server (or the connection) said when it refused.",
    body: { schema: TestSendBody, id: 'TestSend' },
  },
  'GET /api/v1/admin/workspaces': {
    summary: 'Lists every workspace of this installation (instance admin: CAIRN_ADMIN_TOKEN).',
  },
  'POST /api/v1/admin/workspaces': {
    summary:
      'Creates a workspace with a write key, an admin key and optionally a first admin user; keys and a generated password are answered once (instance admin: CAIRN_ADMIN_TOKEN).',
    body: { schema: CreateWorkspaceBody, id: 'WorkspaceCreate' },
    status: 201,
  },
  'DELETE /api/v1/users/:email': {
    summary: 'Removes a user and ends their sessions (admin); you cannot remove yourself.',
    status: 204,
  },
  'GET /api/v1/schema/events': {
    summary: 'Event names and properties seen in this workspace, for building segments.',
  },
  'GET /api/v1/schema/metrics': { summary: 'Computed profile metrics segments can use.' },
  'POST /api/v1/ingestion/retry-parked': {
    summary:
      'Hands folds that were parked (a contact whose events could not be folded) back to the sweeper, after a fix (admin).',
  },
  'GET /api/v1/debugger/events': {
    summary:
      "The event debugger: this workspace's last accepted events (at most 200) and refused /v1 calls (at most 100, with their field errors and a cut copy of the body), newest first, filtered by `userId` (or anonymousId) and `event` (case-insensitive, part of the value), with the fold lag.",
    query: debuggerQuery,
  },
  'GET /api/v1/ingestion': {
    summary:
      "How far this workspace's profiles are behind its events: events appended but not folded yet, and the oldest one's age.",
  },
  'GET /api/v1/templates/:id': { summary: 'A template with its latest content.' },
  'GET /api/v1/templates/:id/versions': { summary: 'Saved versions of a template.' },
  'GET /api/v1/templates/:id/versions/:version': { summary: 'One saved version of a template.' },
  'GET /api/v1/credentials/:name': {
    summary: 'A credential (type and field names, never values).',
  },
  'GET /api/v1/segments/:id': { summary: 'A segment with its definition and member count.' },
  'GET /api/v1/contacts/:contactId/segments/history': {
    summary: 'When a contact entered and left segments.',
  },
  'GET /api/v1/journeys/:id': { summary: 'A journey with its draft and published versions.' },
  'POST /api/v1/journeys/:id/pause': { summary: 'Pauses a published journey.' },
  'POST /api/v1/journeys/:id/resume': { summary: 'Resumes a paused journey.' },
  'POST /api/v1/journeys/:id/archive': { summary: 'Archives a journey.' },
  'GET /api/v1/journeys/:id/versions/:version': { summary: 'One published version of a journey.' },
  'GET /api/v1/journeys/:id/stats': {
    summary: 'How many contacts entered, are waiting and finished, per node.',
  },
  'GET /api/v1/journeys/:id/funnel': {
    summary:
      'Step funnel over a period of UTC days: entered, reached per step in graph order, converted, exits by reason.',
    query: journeyFunnelQuery,
  },
  'GET /api/v1/journeys/:id/runs.csv': {
    summary:
      "Every contact's latest run of the journey as CSV (contactId, status, currentNode, enteredAt, finishedAt, exitReason), streamed.",
    query: RunsExportQuery,
  },
  'GET /api/v1/catalog/actions': {
    summary: 'The actions journeys can use, with their settings schemas.',
  },
  'GET /api/v1/contacts': { summary: 'Lists or searches contacts.', query: contactListQuery },
  'GET /api/v1/contacts/:contactId': {
    summary: 'A contact with profile, recent events, segments and journeys.',
  },
  'DELETE /api/v1/contacts/:contactId': { summary: 'Deletes a contact and their data.' },
  'GET /api/v1/contacts/:id/subscriptions': {
    summary: 'Per-channel subscription state of a contact.',
  },
  'PUT /api/v1/contacts/:id/subscriptions': {
    summary: 'Subscribes or unsubscribes a contact per channel.',
    body: { schema: subscriptionsBody, id: 'SubscriptionChanges' },
  },
  'GET /api/v1/contacts/:id/deliveries': {
    summary: 'Messages sent to a contact, newest first.',
    query: deliveriesQuery,
  },
  'POST /api/v1/imports': {
    summary:
      'Bulk import of contacts and historical events; answers NDJSON progress lines. Imported events start no event-triggered journey unless ?startJourneys=true.',
    query: importQuery,
    body: {
      description: 'One Segment payload per line (NDJSON) or a CSV with a header row.',
      raw: {
        'application/x-ndjson': { schema: { type: 'string' } },
        'text/csv': { schema: { type: 'string' } },
      },
    },
  },
  'GET /api/v1/templates': { summary: 'Lists message templates.', query: templateListQuery },
  'POST /api/v1/templates': {
    summary: 'Creates a message template.',
    body: { schema: templateBody, id: 'TemplateContent' },
    status: 201,
  },
  'POST /api/v1/templates/preview': {
    summary: 'Renders a template for a contact without sending it.',
    body: { schema: templatePreviewBody, id: 'TemplatePreview' },
  },
  'POST /api/v1/templates/test-send': {
    summary:
      'Renders a template for a contact and emails it, marked [Test], through the configured SMTP server.',
    body: { schema: templateTestSendBody, id: 'TemplateTestSend' },
  },
  'PUT /api/v1/templates/:id': {
    summary: 'Saves a new version of a template.',
    body: { schema: templateUpdateBody, id: 'TemplateUpdate' },
  },
  'DELETE /api/v1/templates/:id': { summary: 'Deletes a template.', status: 204 },
  'GET /api/v1/settings/affinities': {
    summary: 'The affinities the profile fold counts beyond product categories (event + property).',
  },
  'PUT /api/v1/settings/affinities': {
    summary:
      'Replaces the affinity definitions; events folded from then on count them (affinities.<name>.top).',
    body: { schema: AffinitiesBody, id: 'Affinities' },
  },
  'GET /api/v1/settings/send-limits': {
    summary: 'Per-channel send rate limits of the workspace (e.g. email: 100 per 1 minute).',
  },
  'PUT /api/v1/settings/send-limits': {
    summary:
      'Replaces the send rate limits; sends over a limit wait for the next window and count as "throttled" on their step.',
    body: { schema: SendLimitsBody, id: 'SendLimits' },
  },
  'GET /api/v1/credentials': { summary: 'Lists credentials (names and fields, never values).' },
  'POST /api/v1/credentials': {
    summary: 'Stores an encrypted credential for actions.',
    body: { schema: credentialCreateBody, id: 'CredentialCreate' },
    status: 201,
  },
  'PUT /api/v1/credentials/:name': {
    summary: 'Replaces the values of a credential.',
    body: { schema: credentialReplaceBody, id: 'CredentialReplace' },
  },
  'DELETE /api/v1/credentials/:name': { summary: 'Deletes a credential.', status: 204 },
  'POST /api/v1/sessions': {
    summary: 'Signs a user in with email and password; the token goes in Authorization: Bearer.',
    body: { schema: SignInBody, id: 'SignIn' },
    status: 201,
  },
  'DELETE /api/v1/sessions/current': { summary: 'Signs the current user out.', status: 204 },
  'GET /api/v1/users': { summary: 'Lists the users of the workspace (admin).' },
  'POST /api/v1/users': {
    summary:
      'Adds a user with a role; answers a generated password once when none is given (admin).',
    body: { schema: CreateUserBody, id: 'UserCreate' },
    status: 201,
  },
  'PUT /api/v1/users/:email': {
    summary: "Changes a user's name, role or password, or disables them (admin).",
    body: { schema: UpdateUserBody, id: 'UserUpdate' },
  },
  'GET /api/v1/keys': { summary: 'Lists API keys, never their secrets (admin).' },
  'POST /api/v1/keys': {
    summary: 'Creates an API key; its full text is answered once (admin).',
    body: { schema: CreateKeyBody, id: 'KeyCreate' },
    status: 201,
  },
  'DELETE /api/v1/keys/:id': { summary: 'Revokes an API key (admin).', status: 204 },
  'GET /api/v1/audit': {
    summary: 'The audit log: who changed what and when, newest first.',
    query: AuditQuery,
  },
  'GET /api/v1/segments': { summary: 'Lists segments.' },
  'GET /api/v1/segments/templates': { summary: 'Ready-made segment definitions to start from.' },
  'POST /api/v1/segments/preview': {
    summary: 'Counts and samples who a definition would match, without saving it.',
    body: {
      schema: segmentPreviewBody.extend({ definition: SegmentDefinitionSchema }),
      id: 'SegmentPreview',
    },
  },
  'POST /api/v1/segments': {
    summary: 'Creates a segment.',
    body: {
      schema: segmentCreateBody.extend({ definition: SegmentDefinitionSchema }),
      id: 'SegmentCreate',
    },
    status: 201,
  },
  'PUT /api/v1/segments/:id': {
    summary: 'Updates a segment.',
    body: {
      schema: segmentUpdateBody.extend({ definition: SegmentDefinitionSchema.optional() }),
      id: 'SegmentUpdate',
    },
  },
  'DELETE /api/v1/segments/:id': { summary: 'Deletes a segment.', status: 204 },
  'GET /api/v1/segments/:id/members': {
    summary: 'Contacts currently in the segment.',
    query: segmentMembersQuery,
  },
  'GET /api/v1/segments/:id/history': {
    summary: 'Daily entries and exits.',
    query: segmentHistoryQuery,
  },
  'GET /api/v1/segments/:id/why/:contactId': {
    summary: 'Explains, condition by condition, why a contact is in or out.',
  },
  'GET /api/v1/journeys': { summary: 'Lists journeys.' },
  'GET /api/v1/journeys/templates': { summary: 'Ready-made journeys to start from.' },
  'POST /api/v1/journeys/validate': {
    summary: 'Validates a journey definition without saving it.',
    body: {
      schema: journeyValidateBody.extend({ definition: JourneyDefinitionSchema }),
      id: 'JourneyValidate',
    },
  },
  'POST /api/v1/journeys': {
    summary: 'Creates a draft journey.',
    body: {
      schema: journeyCreateBody.extend({ definition: JourneyDefinitionSchema }),
      id: 'JourneyCreate',
    },
    status: 201,
  },
  'POST /api/v1/journeys/from-template': {
    summary: 'Creates a draft journey from a template, its parameters applied.',
    body: { schema: journeyFromTemplateBody, id: 'JourneyFromTemplate' },
    status: 201,
  },
  'POST /api/v1/journeys/import': {
    summary: 'Imports a journey exported from another workspace.',
    body: { schema: journeyImportBody, id: 'JourneyImport' },
    status: 201,
  },
  'PUT /api/v1/journeys/:id': {
    summary: 'Saves the draft of a journey.',
    body: {
      schema: journeyUpdateBody.extend({ definition: JourneyDefinitionSchema }),
      id: 'JourneyUpdate',
    },
  },
  'GET /api/v1/journeys/:id/publish-preview': {
    summary:
      'Before publishing: for a segment-entry journey, how many contacts are in its segment now (who `enrollExisting` would enrol).',
  },
  'POST /api/v1/journeys/:id/publish': {
    summary:
      'Publishes the draft as a new version; `enrollExisting` also enrols the segment’s current members.',
    body: { schema: journeyPublishBody, id: 'JourneyPublish' },
  },
  'POST /api/v1/journeys/:id/enroll': {
    summary: 'Enrols one contact now.',
    body: { schema: journeyEnrollBody, id: 'JourneyEnroll' },
    status: 202,
  },
  'GET /api/v1/journeys/:id/export': { summary: 'The journey as a portable file.' },
  'POST /api/v1/journeys/:id/simulate': {
    summary:
      'Dry-runs the journey for one contact (stored or made up) and a script of events on a virtual clock: the path taken and the messages it would send. Nothing is sent or stored.',
    body: { schema: journeySimulateBody, id: 'JourneySimulate' },
  },
};

/** The `METHOD /path` keys documented above: a test checks each still names a served route. */
export function documentedRoutes(): string[] {
  return Object.keys(ROUTE_DOCS);
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

/** A JSON Schema object as it appears in the document. */
export type JsonSchema = Record<string, unknown>;

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
    content: Record<string, { schema: JsonSchema }>;
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

/** The OpenAPI 3.1 document of every route `app` serves, built from the routes' own zod schemas. */
export function buildOpenApiDocument(
  app: Application,
  info: { version?: string } = {},
): OpenApiDocument {
  const registry = z.registry<z.core.GlobalMeta>();
  registry.add(ProblemSchema, { id: 'Problem' });
  registry.add(SegmentDefinitionSchema, { id: 'SegmentDefinition' });
  registry.add(JourneyDefinitionSchema, { id: 'JourneyDefinition' });
  for (const doc of Object.values(ROUTE_DOCS)) {
    if (doc.body && 'schema' in doc.body && !registry.has(doc.body.schema))
      registry.add(doc.body.schema, { id: doc.body.id });
  }
  const schemas = componentSchemas(registry);

  // The ingestion routes take the call type from the path, so `type` is optional in the body.
  for (const [, id] of Object.values(ingestTypes)) {
    const schema = schemas[`${id}Payload`];
    if (schema && Array.isArray(schema.required))
      schema.required = (schema.required as string[]).filter((f) => f !== 'type');
  }
  const batch = schemas.BatchPayload as { properties?: { batch?: JsonSchema } } | undefined;
  if (batch?.properties?.batch) {
    batch.properties.batch.items = {
      description: 'Each item is a call with its "type"; items are validated one by one.',
      oneOf: Object.values(ingestTypes).map(([, id]) => ({
        $ref: `#/components/schemas/${id}Payload`,
      })),
    };
  }

  const paths: OpenApiDocument['paths'] = {};
  const tags = new Map<string, string | undefined>();
  for (const route of servedRoutes(app)) {
    const key = `${route.method} ${route.path}`;
    const doc = ROUTE_DOCS[key] ?? {};
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
    if (doc.query) parameters.push(...queryParameters(doc.query));

    const status = doc.status ?? 200;
    const responses: Record<string, unknown> = {
      [String(status)]:
        status === 204
          ? { description: 'Done; no content.' }
          : { description: 'Success.', content: { 'application/json': { schema: {} } } },
    };
    if (doc.body || doc.query || params.length > 0 || route.method !== 'GET')
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
      summary: doc.summary ?? `${route.method} ${path}`,
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
    if (doc.body && 'schema' in doc.body) {
      operation.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: {
              $ref: `#/components/schemas/${registry.get(doc.body.schema)?.id ?? doc.body.id}`,
            },
          },
        },
      };
    } else if (doc.body) {
      operation.requestBody = {
        required: true,
        description: doc.body.description,
        content: doc.body.raw,
      };
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
