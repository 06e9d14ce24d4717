// Every route the API serves, with what it takes and what it answers: the API validates with these
// objects, builds its OpenAPI document from them, and checks its answers against them in tests.
import type { z } from 'zod';
import {
  AliasPayloadSchema,
  BatchPayloadSchema,
  GroupPayloadSchema,
  IdentifyPayloadSchema,
  PagePayloadSchema,
  ScreenPayloadSchema,
  TrackPayloadSchema,
} from '@cairn/core';
import * as access from './access.js';
import * as contacts from './contacts.js';
import * as ingestion from './ingestion.js';
import * as journeys from './journeys.js';
import * as segments from './segments.js';
import * as settings from './settings.js';
import * as templates from './templates.js';

/** What a route answers on success. */
export type RouteAnswer =
  /** A JSON body; `id` names it among the document's component schemas. */
  | { json: z.ZodType; id: string }
  /** Another media type (CSV, NDJSON, HTML, an image, a redirect); `lines` is the schema of each NDJSON line. */
  | { media: string; description: string; lines?: { schema: z.ZodType; id: string } }
  /** No body (204). */
  | { empty: true };

export interface RouteContract {
  /** The body schema the route parses with, and its component name. */
  body?: { schema: z.ZodType; id: string; doc?: z.ZodType };
  query?: z.ZodObject;
  /** The success status, 200 unless said. */
  status?: number;
  answer: RouteAnswer;
}

// Each answer keeps its own schema type, so `Answer<K>` infers the route's body.
const json = <S extends z.ZodType>(schema: S, id: string) => ({ json: schema, id });
const empty = { empty: true } as const;
const csv = (description: string): RouteAnswer => ({
  media: 'text/csv',
  description,
});

const ingest = (schema: z.ZodType, id: string) => ({
  body: { schema, id },
  answer: json(ingestion.IngestResponse, 'IngestAnswer'),
});

/**
 * Keyed `METHOD /path` as Express writes paths (`:param`). A test checks that this table and the
 * routes the app serves are the same set.
 */
export const ROUTES = {
  'GET /healthz': { answer: json(ingestion.LivenessResponse, 'Liveness') },
  'GET /readyz': { answer: json(ingestion.ReadinessResponse, 'Readiness') },
  'GET /openapi.json': {
    answer: { media: 'application/json', description: 'This OpenAPI 3.1 document.' },
  },
  'GET /docs': { answer: { media: 'text/html', description: 'This document as a readable page.' } },

  'POST /v1/identify': ingest(IdentifyPayloadSchema, 'IdentifyPayload'),
  'POST /v1/track': ingest(TrackPayloadSchema, 'TrackPayload'),
  'POST /v1/page': ingest(PagePayloadSchema, 'PagePayload'),
  'POST /v1/screen': ingest(ScreenPayloadSchema, 'ScreenPayload'),
  'POST /v1/group': ingest(GroupPayloadSchema, 'GroupPayload'),
  'POST /v1/alias': ingest(AliasPayloadSchema, 'AliasPayload'),
  'POST /v1/batch': {
    body: { schema: BatchPayloadSchema, id: 'BatchPayload' },
    answer: json(ingestion.BatchResponse, 'BatchAnswer'),
  },
  'GET /v1/in-app/messages': {
    query: ingestion.InAppMessagesQuery,
    answer: json(ingestion.InAppMessagesResponse, 'InAppMessages'),
  },
  'POST /v1/in-app/messages/:messageId/ack': {
    body: { schema: ingestion.InAppAckBody, id: 'InAppAck' },
    answer: json(ingestion.InAppAckResponse, 'InAppAcknowledged'),
  },

  'GET /t/o/:file': { answer: { media: 'image/gif', description: 'A 1×1 transparent GIF.' } },
  'GET /t/c/:token': {
    status: 302,
    answer: { media: 'text/plain', description: 'A redirect (Location) to the link clicked.' },
  },
  'GET /t/u/:token': {
    answer: { media: 'text/html', description: 'A page that unsubscribes the contact.' },
  },
  'POST /t/u/:token': {
    answer: {
      media: 'text/plain',
      description: 'Unsubscribed (or a page, without List-Unsubscribe=One-Click).',
    },
  },

  'POST /api/v1/sessions': {
    body: { schema: access.SignInBody, id: 'SignIn' },
    status: 201,
    answer: json(access.SessionResponse, 'Session'),
  },
  'DELETE /api/v1/sessions/current': { status: 204, answer: empty },
  'GET /api/v1/admin/workspaces': { answer: json(access.WorkspaceListResponse, 'WorkspaceList') },
  'POST /api/v1/admin/workspaces': {
    body: { schema: access.CreateWorkspaceBody, id: 'WorkspaceCreate' },
    status: 201,
    answer: json(access.WorkspaceCreatedResponse, 'WorkspaceCreated'),
  },
  'GET /api/v1/me': { answer: json(access.MeResponse, 'Me') },
  'PATCH /api/v1/workspace/settings': {
    body: { schema: access.WorkspaceSettingsBody, id: 'WorkspaceSettings' },
    answer: json(access.WorkspaceResponse, 'WorkspaceAnswer'),
  },
  'GET /api/v1/users': { answer: json(access.UserListResponse, 'UserList') },
  'POST /api/v1/users': {
    body: { schema: access.CreateUserBody, id: 'UserCreate' },
    status: 201,
    answer: json(access.UserCreatedResponse, 'UserCreated'),
  },
  'PUT /api/v1/users/:email': {
    body: { schema: access.UpdateUserBody, id: 'UserUpdate' },
    answer: json(access.UserUpdatedResponse, 'UserUpdated'),
  },
  'DELETE /api/v1/users/:email': { status: 204, answer: empty },
  'GET /api/v1/keys': { answer: json(access.ApiKeyListResponse, 'ApiKeyList') },
  'POST /api/v1/keys': {
    body: { schema: access.CreateKeyBody, id: 'KeyCreate' },
    status: 201,
    answer: json(access.ApiKeyCreatedResponse, 'ApiKeyCreated'),
  },
  'DELETE /api/v1/keys/:id': { status: 204, answer: empty },
  'GET /api/v1/audit': {
    query: access.AuditQuery,
    answer: json(access.AuditPageResponse, 'AuditPage'),
  },

  'GET /api/v1/contacts': {
    query: contacts.ContactListQuery,
    answer: json(contacts.ContactPageResponse, 'ContactPage'),
  },
  'GET /api/v1/contacts/:contactId': {
    answer: json(contacts.ContactDetailResponse, 'ContactDetail'),
  },
  'DELETE /api/v1/contacts/:contactId': {
    answer: json(contacts.ContactDeletedResponse, 'ContactDeleted'),
  },
  'GET /api/v1/schema/events': { answer: json(contacts.EventCatalogResponse, 'EventCatalog') },
  'GET /api/v1/schema/metrics': { answer: json(contacts.MetricCatalogResponse, 'MetricCatalog') },
  'POST /api/v1/imports': {
    query: ingestion.ImportQuery,
    answer: {
      media: 'application/x-ndjson',
      description: 'One JSON line per page of rows (progress), then a done (or failed) line.',
      lines: { schema: ingestion.ImportLineSchema, id: 'ImportLine' },
    },
  },
  'GET /api/v1/contacts/:id/subscriptions': {
    answer: json(contacts.SubscriptionsResponse, 'Subscriptions'),
  },
  'PUT /api/v1/contacts/:id/subscriptions': {
    body: { schema: contacts.SubscriptionsBody, id: 'SubscriptionChanges' },
    answer: json(contacts.SubscriptionsResponse, 'Subscriptions'),
  },
  'GET /api/v1/contacts/:id/deliveries': {
    query: contacts.DeliveriesQuery,
    answer: json(contacts.DeliveriesResponse, 'Deliveries'),
  },
  'GET /api/v1/contacts/:contactId/segments/history': {
    answer: json(segments.ContactSegmentHistoryResponse, 'ContactSegmentHistory'),
  },

  'POST /api/v1/templates/preview': {
    body: { schema: templates.TemplatePreviewBody, id: 'TemplatePreview' },
    answer: json(templates.TemplatePreviewResponse, 'RenderedTemplate'),
  },
  'POST /api/v1/templates/test-send': {
    body: { schema: templates.TemplateTestSendBody, id: 'TemplateTestSend' },
    answer: json(templates.TemplateTestSendResponse, 'TemplateTestSent'),
  },
  'GET /api/v1/templates': {
    query: templates.TemplateListQuery,
    answer: json(templates.TemplateListResponse, 'TemplateList'),
  },
  'POST /api/v1/templates': {
    body: { schema: templates.TemplateBody, id: 'TemplateContent' },
    status: 201,
    answer: json(templates.MessageTemplateSchema, 'MessageTemplate'),
  },
  'GET /api/v1/templates/:id': { answer: json(templates.MessageTemplateSchema, 'MessageTemplate') },
  'PUT /api/v1/templates/:id': {
    body: { schema: templates.TemplateUpdateBody, id: 'TemplateUpdate' },
    answer: json(templates.MessageTemplateSchema, 'MessageTemplate'),
  },
  'DELETE /api/v1/templates/:id': { status: 204, answer: empty },
  'GET /api/v1/templates/:id/versions': {
    answer: json(templates.TemplateVersionsResponse, 'TemplateVersions'),
  },
  'GET /api/v1/templates/:id/versions/:version': {
    answer: json(templates.TemplateVersionResponse, 'TemplateVersion'),
  },

  'GET /api/v1/credentials': { answer: json(settings.CredentialListResponse, 'CredentialList') },
  'POST /api/v1/credentials': {
    body: { schema: settings.CredentialCreateBody, id: 'CredentialCreate' },
    status: 201,
    answer: json(settings.CredentialSummarySchema, 'Credential'),
  },
  'GET /api/v1/credentials/:name': { answer: json(settings.CredentialSummarySchema, 'Credential') },
  'PUT /api/v1/credentials/:name': {
    body: { schema: settings.CredentialReplaceBody, id: 'CredentialReplace' },
    answer: json(settings.CredentialSummarySchema, 'Credential'),
  },
  'DELETE /api/v1/credentials/:name': { status: 204, answer: empty },
  'POST /api/v1/credentials/:name/test-send': {
    body: { schema: settings.CredentialTestSendBody, id: 'TestSend' },
    answer: json(settings.CredentialTestSendResponse, 'TestSendAnswer'),
  },
  'GET /api/v1/settings/affinities': {
    answer: json(settings.AffinitySettingsResponse, 'AffinitySettings'),
  },
  'PUT /api/v1/settings/affinities': {
    body: { schema: settings.AffinitiesBody, id: 'Affinities' },
    answer: json(settings.AffinitySettingsResponse, 'AffinitySettings'),
  },
  'GET /api/v1/settings/send-limits': {
    answer: json(settings.SendLimitSettingsResponse, 'SendLimitSettings'),
  },
  'PUT /api/v1/settings/send-limits': {
    body: { schema: settings.SendLimitsBody, id: 'SendLimits' },
    answer: json(settings.SendLimitSettingsResponse, 'SendLimitSettings'),
  },
  'GET /api/v1/catalog/actions': { answer: json(settings.ActionCatalogResponse, 'ActionCatalog') },

  'GET /api/v1/segments': { answer: json(segments.SegmentListResponse, 'SegmentList') },
  'GET /api/v1/segments/templates': {
    answer: json(segments.SegmentTemplatesResponse, 'SegmentTemplates'),
  },
  'POST /api/v1/segments/preview': {
    body: {
      schema: segments.SegmentPreviewBody,
      doc: segments.SegmentPreviewDoc,
      id: 'SegmentPreviewRequest',
    },
    answer: json(segments.SegmentPreviewResponse, 'SegmentPreview'),
  },
  'POST /api/v1/segments': {
    body: {
      schema: segments.SegmentCreateBody,
      doc: segments.SegmentCreateDoc,
      id: 'SegmentCreate',
    },
    status: 201,
    answer: json(segments.SegmentDetailResponse, 'SegmentDetail'),
  },
  'GET /api/v1/segments/:id': { answer: json(segments.SegmentDetailResponse, 'SegmentDetail') },
  'PUT /api/v1/segments/:id': {
    body: {
      schema: segments.SegmentUpdateBody,
      doc: segments.SegmentUpdateDoc,
      id: 'SegmentUpdate',
    },
    answer: json(segments.SegmentDetailResponse, 'SegmentDetail'),
  },
  'DELETE /api/v1/segments/:id': { status: 204, answer: empty },
  'GET /api/v1/segments/:id/members': {
    query: segments.SegmentMembersQuery,
    answer: json(segments.SegmentMembersResponse, 'SegmentMembers'),
  },
  'GET /api/v1/segments/:id/members.csv': {
    query: segments.SegmentMembersExportQuery,
    answer: csv('One row per member: id, the trait columns asked for, since, lastSeenAt.'),
  },
  'GET /api/v1/segments/:id/history': {
    query: segments.SegmentHistoryQuery,
    answer: json(segments.SegmentHistoryResponse, 'SegmentHistory'),
  },
  'GET /api/v1/segments/:id/why/:contactId': {
    answer: json(segments.SegmentExplanationResponse, 'SegmentExplanation'),
  },

  'GET /api/v1/journeys': { answer: json(journeys.JourneyListResponse, 'JourneyList') },
  'GET /api/v1/journeys/templates': {
    answer: json(journeys.JourneyTemplatesResponse, 'JourneyTemplates'),
  },
  'POST /api/v1/journeys/from-template': {
    body: { schema: journeys.JourneyFromTemplateBody, id: 'JourneyFromTemplate' },
    status: 201,
    answer: json(journeys.JourneyDetailResponse, 'JourneyDetail'),
  },
  'POST /api/v1/journeys/validate': {
    body: {
      schema: journeys.JourneyValidateBody,
      doc: journeys.JourneyValidateDoc,
      id: 'JourneyValidate',
    },
    answer: json(journeys.JourneyValidateResponse, 'JourneyValidation'),
  },
  'POST /api/v1/journeys': {
    body: {
      schema: journeys.JourneyCreateBody,
      doc: journeys.JourneyCreateDoc,
      id: 'JourneyCreate',
    },
    status: 201,
    answer: json(journeys.JourneyDetailResponse, 'JourneyDetail'),
  },
  'POST /api/v1/journeys/import': {
    body: { schema: journeys.JourneyImportBody, id: 'JourneyImport' },
    status: 201,
    answer: json(journeys.JourneyDetailResponse, 'JourneyDetail'),
  },
  'GET /api/v1/journeys/:id': { answer: json(journeys.JourneyDetailResponse, 'JourneyDetail') },
  'PUT /api/v1/journeys/:id': {
    body: {
      schema: journeys.JourneyUpdateBody,
      doc: journeys.JourneyUpdateDoc,
      id: 'JourneyUpdate',
    },
    answer: json(journeys.JourneyDetailResponse, 'JourneyDetail'),
  },
  'GET /api/v1/journeys/:id/publish-preview': {
    answer: json(journeys.JourneyPublishPreviewResponse, 'JourneyPublishPreview'),
  },
  'POST /api/v1/journeys/:id/publish': {
    body: { schema: journeys.JourneyPublishBody, id: 'JourneyPublish' },
    answer: json(journeys.JourneyPublishResponse, 'JourneyPublished'),
  },
  'POST /api/v1/journeys/:id/pause': {
    answer: json(journeys.JourneyTransitionResponse, 'JourneyTransition'),
  },
  'POST /api/v1/journeys/:id/resume': {
    answer: json(journeys.JourneyTransitionResponse, 'JourneyTransition'),
  },
  'POST /api/v1/journeys/:id/archive': {
    answer: json(journeys.JourneyTransitionResponse, 'JourneyTransition'),
  },
  'GET /api/v1/journeys/:id/versions/:version': {
    answer: json(journeys.JourneyVersionResponse, 'JourneyVersion'),
  },
  'GET /api/v1/journeys/:id/stats': { answer: json(journeys.JourneyStatsResponse, 'JourneyStats') },
  'POST /api/v1/journeys/:id/enroll': {
    body: { schema: journeys.JourneyEnrollBody, id: 'JourneyEnroll' },
    status: 202,
    answer: json(journeys.JourneyEnrollResponse, 'JourneyEnrolled'),
  },
  'GET /api/v1/journeys/:id/export': {
    answer: json(journeys.JourneyExportResponse, 'JourneyExport'),
  },
  'GET /api/v1/journeys/:id/funnel': {
    query: journeys.JourneyFunnelQuery,
    answer: json(journeys.JourneyFunnelResponse, 'JourneyFunnel'),
  },
  'GET /api/v1/journeys/:id/runs.csv': {
    query: journeys.JourneyRunsExportQuery,
    answer: csv(
      'One row per run: contactId, status, currentNode, enteredAt, finishedAt, exitReason, detail, key, version.',
    ),
  },
  'POST /api/v1/journeys/:id/simulate': {
    body: { schema: journeys.JourneySimulateBody, id: 'JourneySimulate' },
    answer: json(journeys.JourneySimulateResponse, 'JourneySimulation'),
  },

  'GET /api/v1/ingestion': { answer: json(ingestion.IngestionLagResponse, 'IngestionLag') },
  'GET /api/v1/debugger/events': {
    query: ingestion.DebuggerQuery,
    answer: json(ingestion.DebuggerResponse, 'DebuggerView'),
  },
  'POST /api/v1/ingestion/retry-parked': {
    answer: json(ingestion.RetryParkedResponse, 'RetriedParked'),
  },
} satisfies Record<string, RouteContract>;

export type RouteKey = keyof typeof ROUTES;

/** The contract of `METHOD /path` (Express path syntax), if the table has it. */
export function routeContract(method: string, path: string): RouteContract | undefined {
  return (ROUTES as Record<string, RouteContract>)[`${method.toUpperCase()} ${path}`];
}

/** The JSON answer of a route, typed: `Answer<'GET /api/v1/me'>`. */
export type Answer<K extends RouteKey> = (typeof ROUTES)[K]['answer'] extends {
  json: infer S extends z.ZodType;
}
  ? z.output<S>
  : never;
