// Every call the designer makes to the Cairn API lives here. Wire types come from @cairn/contract, the
// schemas the API validates and checks its answers with: inferred, never copied.
import type { z } from 'zod';
import type {
  Answer,
  AuditQuery as AuditQuerySchema,
  DebuggerQuery as DebuggerQuerySchema,
  Problem as WireProblem,
  TemplatePreviewBody,
  WorkspaceSettingsBody,
} from '@cairn/contract';
import type {
  AffinityDefinition,
  ConditionGroup,
  JourneyDefinition,
  SendRateLimits,
} from '@cairn/core';

export type {
  ActionManifest,
  ApiKey,
  AuditEntry,
  ContactDetail,
  ContactSummary,
  CredentialSummary,
  DebuggerEvent,
  DebuggerRefusal,
  DebuggerView,
  HoldoutComparison,
  IngestionLag,
  JourneyDetail,
  JourneyFunnel,
  JourneyStats,
  JourneyStatus,
  JourneySummary,
  Me,
  MessageTemplate,
  MessageTemplateContent,
  MessageTemplateVersion,
  NodeStats,
  Principal,
  Role,
  SegmentDetail,
  SegmentPreview,
  SegmentSummary,
  AffinitySettings,
  SendLimitSettings,
  Workspace,
  WorkspaceSender,
} from '@cairn/contract';
import type { MessageTemplateContent, Role } from '@cairn/contract';

/** A problem as the designer holds it: the API's, or one made here when the API cannot be reached. */
export type Problem = Omit<WireProblem, 'type' | 'instance'>;

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

/** Query strings are text on the way out, whatever the schema makes of them. */
type QueryOf<T extends z.ZodObject> = { [K in keyof z.input<T>]?: string };

export type UserAccount = Answer<'GET /api/v1/users'>['users'][number];
export type TestSendAnswer = Answer<'POST /api/v1/credentials/:name/test-send'>;
export type AuditChange = Answer<'GET /api/v1/audit'>['entries'][number]['changes'][number];
export type AuditQuery = QueryOf<typeof AuditQuerySchema>;
export type EventSchema = Answer<'GET /api/v1/schema/events'>[number];
export type MetricSchema = Answer<'GET /api/v1/schema/metrics'>[number];
export type WorkspacePatch = z.input<typeof WorkspaceSettingsBody>;
/**
 * Which content to render, and for whom: a stored contact, or the empty sample contact. A draft being
 * edited may be incomplete: the API answers 400 naming the empty field, which the preview shows.
 */
export type TemplateRenderRequest = Omit<z.input<typeof TemplatePreviewBody>, 'template'> & {
  template?: MessageTemplateContent;
};
export type RenderedTemplate = Answer<'POST /api/v1/templates/preview'>;
export type DebuggerQuery = QueryOf<typeof DebuggerQuerySchema>;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Email and password sign-in: the session token it returns is then used like a key (Bearer). */
export async function signInWithPassword(
  email: string,
  password: string,
  baseUrl = '',
): Promise<{ token: string; expiresAt: string }> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/api/v1/sessions`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, application/problem+json',
      },
      body: JSON.stringify({ email, password }),
    });
  } catch (cause) {
    throw new ApiError({ title: 'Cannot reach the Cairn API', status: 0, detail: String(cause) });
  }
  const parsed = safeJson(await response.text()) as Partial<Problem> & {
    token?: string;
    expiresAt?: string;
  };
  if (!response.ok || !parsed.token) {
    throw new ApiError({
      title: parsed.title ?? 'Sign-in failed',
      status: response.status,
      ...(parsed.detail !== undefined ? { detail: parsed.detail } : {}),
    });
  }
  return { token: parsed.token, expiresAt: parsed.expiresAt ?? '' };
}

export function createApiClient(token: string, baseUrl = '') {
  async function call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/api/v1${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          Accept: 'application/json, application/problem+json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (cause) {
      throw new ApiError({ title: 'Cannot reach the Cairn API', status: 0, detail: String(cause) });
    }
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const problem = (parsed && typeof parsed === 'object' ? parsed : {}) as Partial<Problem>;
      throw new ApiError({
        title: problem.title ?? response.statusText ?? 'Request failed',
        status: response.status,
        ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
        ...(problem.errors !== undefined ? { errors: problem.errors } : {}),
      });
    }
    return parsed as T;
  }

  /** A file the API streams (CSV exports), fetched with the session's token. */
  async function download(path: string): Promise<Blob> {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      headers: { Authorization: `Bearer ${token}` },
    }).catch((cause: unknown) => {
      throw new ApiError({ title: 'Cannot reach the Cairn API', status: 0, detail: String(cause) });
    });
    if (!response.ok) {
      const problem = (safeJson(await response.text()) ?? {}) as Partial<Problem>;
      throw new ApiError({
        title: problem.title ?? response.statusText,
        status: response.status,
        ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
      });
    }
    return response.blob();
  }

  const journeyPath = (id: string) => `/journeys/${encodeURIComponent(id)}`;
  const query = (params: Record<string, string | undefined>) => {
    const entries = Object.entries(params).filter((e): e is [string, string] => !!e[1]);
    return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
  };

  return {
    me: () => call<Answer<'GET /api/v1/me'>>('GET', '/me'),
    signOut: () => call<unknown>('DELETE', '/sessions/current'),
    audit: (q: AuditQuery = {}) => call<Answer<'GET /api/v1/audit'>>('GET', `/audit${query(q)}`),
    actionCatalog: () => call<Answer<'GET /api/v1/catalog/actions'>>('GET', '/catalog/actions'),

    listJourneys: () => call<Answer<'GET /api/v1/journeys'>>('GET', '/journeys'),
    createJourney: (name: string, definition: JourneyDefinition) =>
      call<Answer<'POST /api/v1/journeys'>>('POST', '/journeys', { name, definition }),
    journeyTemplates: () =>
      call<Answer<'GET /api/v1/journeys/templates'>>('GET', '/journeys/templates'),
    getJourney: (id: string) => call<Answer<'GET /api/v1/journeys/:id'>>('GET', journeyPath(id)),
    saveDraft: (id: string, definition: JourneyDefinition) =>
      call<Answer<'PUT /api/v1/journeys/:id'>>('PUT', journeyPath(id), { definition }),
    renameJourney: (id: string, name: string, definition: JourneyDefinition) =>
      call<Answer<'PUT /api/v1/journeys/:id'>>('PUT', journeyPath(id), { name, definition }),
    publishPreview: (id: string) =>
      call<Answer<'GET /api/v1/journeys/:id/publish-preview'>>(
        'GET',
        `${journeyPath(id)}/publish-preview`,
      ),
    publish: (id: string, options: { enrollExisting?: boolean } = {}) =>
      call<Answer<'POST /api/v1/journeys/:id/publish'>>(
        'POST',
        `${journeyPath(id)}/publish`,
        options,
      ),
    pause: (id: string) =>
      call<Answer<'POST /api/v1/journeys/:id/pause'>>('POST', `${journeyPath(id)}/pause`),
    archiveJourney: (id: string) =>
      call<Answer<'POST /api/v1/journeys/:id/archive'>>('POST', `${journeyPath(id)}/archive`),
    resume: (id: string) =>
      call<Answer<'POST /api/v1/journeys/:id/resume'>>('POST', `${journeyPath(id)}/resume`),
    getVersion: (id: string, version: number) =>
      call<Answer<'GET /api/v1/journeys/:id/versions/:version'>>(
        'GET',
        `${journeyPath(id)}/versions/${version}`,
      ),
    journeyStats: (id: string) =>
      call<Answer<'GET /api/v1/journeys/:id/stats'>>('GET', `${journeyPath(id)}/stats`),
    journeyFunnel: (id: string, period: { from?: string; to?: string } = {}) =>
      call<Answer<'GET /api/v1/journeys/:id/funnel'>>(
        'GET',
        `${journeyPath(id)}/funnel${query(period)}`,
      ),
    journeyRunsCsv: (id: string, status?: string) =>
      download(`${journeyPath(id)}/runs.csv${query({ status })}`),
    validateJourney: (definition: JourneyDefinition) =>
      call<Answer<'POST /api/v1/journeys/validate'>>('POST', '/journeys/validate', {
        definition,
      }),

    listSegments: () => call<Answer<'GET /api/v1/segments'>>('GET', '/segments'),
    getSegment: (id: string) =>
      call<Answer<'GET /api/v1/segments/:id'>>('GET', `/segments/${encodeURIComponent(id)}`),
    createSegment: (segment: { name: string; description: string; definition: ConditionGroup }) =>
      call<Answer<'POST /api/v1/segments'>>('POST', '/segments', segment),
    updateSegment: (
      id: string,
      segment: { name: string; description: string; definition: ConditionGroup },
    ) =>
      call<Answer<'PUT /api/v1/segments/:id'>>(
        'PUT',
        `/segments/${encodeURIComponent(id)}`,
        segment,
      ),
    renameSegment: (id: string, name: string) =>
      call<Answer<'PUT /api/v1/segments/:id'>>('PUT', `/segments/${encodeURIComponent(id)}`, {
        name,
      }),
    deleteSegment: (id: string) => call<unknown>('DELETE', `/segments/${encodeURIComponent(id)}`),
    previewSegment: (definition: ConditionGroup) =>
      call<Answer<'POST /api/v1/segments/preview'>>('POST', '/segments/preview', { definition }),
    segmentMembers: (id: string, cursor?: string) =>
      call<Answer<'GET /api/v1/segments/:id/members'>>(
        'GET',
        `/segments/${encodeURIComponent(id)}/members${query({ cursor })}`,
      ),
    segmentMembersCsv: (id: string) => download(`/segments/${encodeURIComponent(id)}/members.csv`),
    segmentTemplates: () =>
      call<Answer<'GET /api/v1/segments/templates'>>('GET', '/segments/templates'),
    segmentHistory: (id: string) =>
      call<Answer<'GET /api/v1/segments/:id/history'>>(
        'GET',
        `/segments/${encodeURIComponent(id)}/history`,
      ),
    whyInSegment: (id: string, contactId: string) =>
      call<Answer<'GET /api/v1/segments/:id/why/:contactId'>>(
        'GET',
        `/segments/${encodeURIComponent(id)}/why/${encodeURIComponent(contactId)}`,
      ),

    listContacts: (q?: string, cursor?: string) =>
      call<Answer<'GET /api/v1/contacts'>>('GET', `/contacts${query({ q, cursor })}`),
    getContact: (id: string) =>
      call<Answer<'GET /api/v1/contacts/:contactId'>>('GET', `/contacts/${encodeURIComponent(id)}`),

    updateWorkspace: (patch: WorkspacePatch) =>
      call<Answer<'PATCH /api/v1/workspace/settings'>>('PATCH', '/workspace/settings', patch),
    listKeys: () => call<Answer<'GET /api/v1/keys'>>('GET', '/keys'),
    createKey: (name: string, scope: 'write' | 'admin') =>
      call<Answer<'POST /api/v1/keys'>>('POST', '/keys', { name, scope }),
    revokeKey: (id: string) => call<unknown>('DELETE', `/keys/${encodeURIComponent(id)}`),
    listUsers: () => call<Answer<'GET /api/v1/users'>>('GET', '/users'),
    inviteUser: (user: { email: string; name?: string; role: Role }) =>
      call<Answer<'POST /api/v1/users'>>('POST', '/users', user),
    updateUser: (email: string, patch: { role?: Role; disabled?: boolean }) =>
      call<Answer<'PUT /api/v1/users/:email'>>('PUT', `/users/${encodeURIComponent(email)}`, patch),
    removeUser: (email: string) => call<unknown>('DELETE', `/users/${encodeURIComponent(email)}`),
    listCredentials: () => call<Answer<'GET /api/v1/credentials'>>('GET', '/credentials'),
    saveCredential: (name: string, type: string, values: Record<string, string>) =>
      call<Answer<'PUT /api/v1/credentials/:name'>>(
        'PUT',
        `/credentials/${encodeURIComponent(name)}`,
        {
          type,
          values,
        },
      ),
    deleteCredential: (name: string) =>
      call<unknown>('DELETE', `/credentials/${encodeURIComponent(name)}`),
    testSend: (name: string, to: string) =>
      call<Answer<'POST /api/v1/credentials/:name/test-send'>>(
        'POST',
        `/credentials/${encodeURIComponent(name)}/test-send`,
        { to },
      ),

    affinities: () =>
      call<Answer<'GET /api/v1/settings/affinities'>>('GET', '/settings/affinities'),
    saveAffinities: (affinities: AffinityDefinition[]) =>
      call<Answer<'PUT /api/v1/settings/affinities'>>('PUT', '/settings/affinities', {
        affinities,
      }),
    sendLimits: () =>
      call<Answer<'GET /api/v1/settings/send-limits'>>('GET', '/settings/send-limits'),
    saveSendLimits: (limits: SendRateLimits) =>
      call<Answer<'PUT /api/v1/settings/send-limits'>>('PUT', '/settings/send-limits', { limits }),

    listTemplates: (channel?: 'email' | 'inApp') =>
      call<Answer<'GET /api/v1/templates'>>('GET', `/templates${query({ channel })}`),
    getTemplate: (id: string) =>
      call<Answer<'GET /api/v1/templates/:id'>>('GET', `/templates/${encodeURIComponent(id)}`),
    createTemplate: (content: MessageTemplateContent) =>
      call<Answer<'POST /api/v1/templates'>>('POST', '/templates', content),
    saveTemplate: (id: string, content: MessageTemplateContent, baseVersion: number) =>
      call<Answer<'PUT /api/v1/templates/:id'>>('PUT', `/templates/${encodeURIComponent(id)}`, {
        ...content,
        baseVersion,
      }),
    templateVersions: (id: string) =>
      call<Answer<'GET /api/v1/templates/:id/versions'>>(
        'GET',
        `/templates/${encodeURIComponent(id)}/versions`,
      ),
    templateVersion: (id: string, version: number) =>
      call<Answer<'GET /api/v1/templates/:id/versions/:version'>>(
        'GET',
        `/templates/${encodeURIComponent(id)}/versions/${version}`,
      ),
    previewTemplate: (request: TemplateRenderRequest) =>
      call<Answer<'POST /api/v1/templates/preview'>>('POST', '/templates/preview', request),
    testSendTemplate: (request: TemplateRenderRequest & { to: string }) =>
      call<Answer<'POST /api/v1/templates/test-send'>>('POST', '/templates/test-send', request),

    ingestion: () => call<Answer<'GET /api/v1/ingestion'>>('GET', '/ingestion'),
    debuggerEvents: (q: DebuggerQuery = {}) =>
      call<Answer<'GET /api/v1/debugger/events'>>('GET', `/debugger/events${query(q)}`),
    eventSchema: () => call<Answer<'GET /api/v1/schema/events'>>('GET', '/schema/events'),
    metricSchema: () => call<Answer<'GET /api/v1/schema/metrics'>>('GET', '/schema/metrics'),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { title: text.slice(0, 200) };
  }
}

/** A message fit for the user: the server's detail plus each field error. */
export function describeError(error: unknown): {
  message: string;
  errors: { path: string; message: string }[];
} {
  if (error instanceof ApiError)
    return {
      message: error.problem.detail ?? error.problem.title,
      errors: error.problem.errors ?? [],
    };
  return { message: error instanceof Error ? error.message : String(error), errors: [] };
}
