// Every call the designer makes to the Cairn API lives here.
import type {
  AffinityDefinition,
  ConditionGroup,
  JourneyDefinition,
  JourneyTemplate,
  SendRateLimits,
} from '@cairn/core';

export type Problem = {
  title: string;
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
};

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}

export type JourneyStatus = 'draft' | 'published' | 'paused' | 'archived';
export type ActionManifest = {
  type: string;
  version: number;
  title: string;
  description: string;
  category: string;
  icon: string;
  outputs: { name: string; label: string }[];
  configJsonSchema: Record<string, unknown>;
  uiHints?: Record<string, unknown>;
};
export type JourneySummary = {
  id: string;
  name: string;
  status: JourneyStatus;
  publishedVersion?: number;
  /** The published version's entry dates, when it has any, and where today stands between them. */
  entry?: { state: 'scheduled' | 'open' | 'ended'; startsAt?: string; endsAt?: string };
  updatedAt: string;
  stats: { entered: number; active: number; converted: number };
};
export type JourneyDetail = {
  id: string;
  name: string;
  status: JourneyStatus;
  draft: JourneyDefinition;
  publishedVersion?: number;
  versions: { version: number; publishedAt: string }[];
};
export type NodeStats = {
  entered: number;
  waiting: number;
  outputs: Record<string, number>;
  converted: number;
  sent?: number;
  /** Sends the frequency cap skipped. */
  capped?: number;
  /** Sends that waited for a later window of the channel's send limit. */
  throttled?: number;
  opened?: number;
  clicked?: number;
};
export type HoldoutComparison = {
  journey: { contacts: number; converted: number; rate: number | null };
  holdout: { contacts: number; converted: number; rate: number | null };
  lift: number | null;
};
export type JourneyStats = {
  nodes: Record<string, NodeStats>;
  series: { day: string; enrolled: number; converted: number }[];
  /** Absent from servers older than holdout conversions. */
  holdout?: HoldoutComparison;
};
/** GET /journeys/:id/funnel: what happened in a journey over a period of UTC days. */
export type JourneyFunnel = {
  journeyId: string;
  version?: number;
  from: string;
  to: string;
  timeZone: string;
  entered: number;
  heldOut: number;
  converted: number;
  /** In graph order; steps of earlier versions come last with `removed`. */
  steps: { nodeId: string; kind?: string; label?: string; reached: number; removed?: true }[];
  exits: { reason: string; runs: number }[];
  days: { day: string; entered: number; converted: number; exited: number }[];
};
export type SegmentSummary = {
  id: string;
  name: string;
  description?: string;
  memberCount: number;
  version: number;
};
export type SegmentDetail = SegmentSummary & { definition: ConditionGroup };
export type SegmentPreview = {
  count: number;
  total: number;
  sample: { id: string; traits: Record<string, unknown> }[];
};
export type ContactSummary = { id: string; traits: Record<string, unknown>; lastSeenAt?: string };
export type ContactDetail = {
  id: string;
  traits: Record<string, unknown>;
  profile: Record<string, unknown>;
  segments: { id: string; name: string; since: string }[];
  journeys: {
    journeyId: string;
    name: string;
    version: number;
    status: string;
    steps: { nodeId: string; at: string; output?: string }[];
  }[];
  timeline: { at: string; event: string; properties: Record<string, unknown> }[];
};
export type EventSchema = { event: string; properties: { name: string; type: string }[] };
export type MetricSchema = { name: string; type?: string; description?: string };

export type Role = 'viewer' | 'editor' | 'publisher' | 'admin';
export type Principal = {
  type: 'user' | 'key';
  id: string;
  email?: string;
  name?: string;
  role: Role;
};
export type WorkspaceSender = { name?: string; address: string; credential?: string };
export type Workspace = {
  id: string;
  name: string;
  slug?: string;
  settings?: { timezone?: string; sender?: WorkspaceSender | null };
};
export type Me = { workspace: Workspace; principal: Principal };
export type WorkspacePatch = {
  name?: string;
  timezone?: string;
  sender?: WorkspaceSender | null;
};
export type ApiKey = {
  id: string;
  name: string;
  scope: 'write' | 'admin';
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
};
export type UserAccount = {
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
};
export type CredentialSummary = {
  name: string;
  type: string;
  fields: string[];
  createdAt: string;
  updatedAt: string;
};
export type TestSendAnswer = {
  server: string;
  from: string;
  to: string;
  accepted: string[];
  rejected: string[];
  response: string;
  messageId: string;
};
export type AuditChange = { path: string; before: unknown; after: unknown };
export type AuditEntry = {
  id: string;
  at: string;
  actor: { type: 'user' | 'key'; id: string; email?: string; name?: string };
  action: string;
  resource: { type: string; id: string; name?: string };
  changes: AuditChange[];
};
export type AuditQuery = {
  resourceType?: string;
  resourceId?: string;
  actor?: string;
  before?: string;
  limit?: string;
};

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

/** Events appended but not yet folded into profiles, and the oldest one's age. */
export interface IngestionLag {
  unfoldedEvents: number;
  foldLagMs: number;
}

/** The event debugger's view (GET /api/v1/debugger/events), newest first. */
export interface DebuggerEvent {
  type: string;
  event: string;
  userId?: string;
  anonymousId?: string;
  messageId: string;
  receivedAt: string;
  properties?: Record<string, unknown>;
  /** Set instead of properties when they were too long to keep whole. */
  propertiesPreview?: string;
}
export interface DebuggerRefusal {
  at: string;
  method: string;
  path: string;
  status: number;
  title: string;
  detail?: string;
  errors: { path: string; message: string }[];
  userId?: string;
  anonymousId?: string;
  event?: string;
  body: string;
  truncated: boolean;
}
export interface DebuggerView {
  events: DebuggerEvent[];
  refused: DebuggerRefusal[];
  fold: { unfoldedEvents: number; foldLagMs: number; parkedEvents: number };
}
/** Liquid content of a message template; email uses subject/html/text, in-app title/body. */
export type MessageTemplateContent = {
  name: string;
  channel: 'email' | 'inApp';
  subject?: string;
  html?: string;
  text?: string;
  title?: string;
  body?: string;
};
export type MessageTemplate = MessageTemplateContent & {
  id: string;
  version: number;
  updatedAt?: string;
  savedAt?: string;
};
/** Which content to render, and for whom: a stored contact, or the empty sample contact. */
export type TemplateRenderRequest = (
  { template: MessageTemplateContent } | { templateId: string; version?: number }
) & { contactId?: string };
export type RenderedTemplate = {
  contactId: string;
  rendered: Partial<Record<'subject' | 'html' | 'text' | 'title' | 'body', string>>;
};
export type DebuggerQuery = { userId?: string; event?: string; limit?: string };

/** What the fold counts as affinities beyond product categories, and from when an edit applies. */
export interface AffinitySettings {
  affinities: AffinityDefinition[];
  appliesFrom: string;
  settledWithinSeconds: number;
}

/** Per-channel send rate limits of the workspace. */
export interface SendLimitSettings {
  limits: SendRateLimits;
  settledWithinSeconds: number;
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
    me: () => call<Me>('GET', '/me'),
    signOut: () => call<unknown>('DELETE', '/sessions/current'),
    audit: (q: AuditQuery = {}) =>
      call<{ entries: AuditEntry[]; next?: string }>('GET', `/audit${query(q)}`),
    actionCatalog: () => call<ActionManifest[]>('GET', '/catalog/actions'),

    listJourneys: () => call<JourneySummary[]>('GET', '/journeys'),
    createJourney: (name: string, definition: JourneyDefinition) =>
      call<{ id: string }>('POST', '/journeys', { name, definition }),
    journeyTemplates: () => call<JourneyTemplate[]>('GET', '/journeys/templates'),
    getJourney: (id: string) => call<JourneyDetail>('GET', journeyPath(id)),
    saveDraft: (id: string, definition: JourneyDefinition) =>
      call<unknown>('PUT', journeyPath(id), { definition }),
    publishPreview: (id: string) =>
      call<{
        enrollExisting:
          | { applies: false }
          | {
              applies: true;
              default: boolean;
              segmentId: string;
              segmentName: string;
              members: number;
            };
      }>('GET', `${journeyPath(id)}/publish-preview`),
    publish: (id: string, options: { enrollExisting?: boolean } = {}) =>
      call<{ version: number; existingMembers?: { segmentId: string; queued: number } }>(
        'POST',
        `${journeyPath(id)}/publish`,
        options,
      ),
    pause: (id: string) => call<unknown>('POST', `${journeyPath(id)}/pause`),
    resume: (id: string) => call<unknown>('POST', `${journeyPath(id)}/resume`),
    getVersion: (id: string, version: number) =>
      call<{ definition: JourneyDefinition }>('GET', `${journeyPath(id)}/versions/${version}`),
    journeyStats: (id: string) => call<JourneyStats>('GET', `${journeyPath(id)}/stats`),
    journeyFunnel: (id: string, period: { from?: string; to?: string } = {}) =>
      call<JourneyFunnel>('GET', `${journeyPath(id)}/funnel${query(period)}`),
    journeyRunsCsv: (id: string, status?: string) =>
      download(`${journeyPath(id)}/runs.csv${query({ status })}`),
    validateJourney: (definition: JourneyDefinition) =>
      call<{ errors: { path: string; message: string }[] }>('POST', '/journeys/validate', {
        definition,
      }),

    listSegments: () => call<SegmentSummary[]>('GET', '/segments'),
    getSegment: (id: string) => call<SegmentDetail>('GET', `/segments/${encodeURIComponent(id)}`),
    createSegment: (segment: { name: string; description: string; definition: ConditionGroup }) =>
      call<{ id: string }>('POST', '/segments', segment),
    updateSegment: (
      id: string,
      segment: { name: string; description: string; definition: ConditionGroup },
    ) => call<unknown>('PUT', `/segments/${encodeURIComponent(id)}`, segment),
    deleteSegment: (id: string) => call<unknown>('DELETE', `/segments/${encodeURIComponent(id)}`),
    previewSegment: (definition: ConditionGroup) =>
      call<SegmentPreview>('POST', '/segments/preview', { definition }),
    segmentMembers: (id: string, cursor?: string) =>
      call<{ items: ContactSummary[]; nextCursor?: string }>(
        'GET',
        `/segments/${encodeURIComponent(id)}/members${query({ cursor })}`,
      ),
    segmentMembersCsv: (id: string) => download(`/segments/${encodeURIComponent(id)}/members.csv`),
    segmentTemplates: () => call<unknown[]>('GET', '/segments/templates'),
    segmentHistory: (id: string) =>
      call<{ day: string; members: number }[]>(
        'GET',
        `/segments/${encodeURIComponent(id)}/history`,
      ),
    whyInSegment: (id: string, contactId: string) =>
      call<unknown>(
        'GET',
        `/segments/${encodeURIComponent(id)}/why/${encodeURIComponent(contactId)}`,
      ),

    listContacts: (q?: string, cursor?: string) =>
      call<{ items: ContactSummary[]; nextCursor?: string }>(
        'GET',
        `/contacts${query({ q, cursor })}`,
      ),
    getContact: (id: string) => call<ContactDetail>('GET', `/contacts/${encodeURIComponent(id)}`),

    updateWorkspace: (patch: WorkspacePatch) =>
      call<{ workspace: Workspace }>('PATCH', '/workspace/settings', patch),
    listKeys: () => call<{ keys: ApiKey[] }>('GET', '/keys'),
    createKey: (name: string, scope: ApiKey['scope']) =>
      call<ApiKey & { key: string }>('POST', '/keys', { name, scope }),
    revokeKey: (id: string) => call<unknown>('DELETE', `/keys/${encodeURIComponent(id)}`),
    listUsers: () => call<{ users: UserAccount[] }>('GET', '/users'),
    inviteUser: (user: { email: string; name?: string; role: Role }) =>
      call<{ user: UserAccount; password?: string }>('POST', '/users', user),
    updateUser: (email: string, patch: { role?: Role; disabled?: boolean }) =>
      call<{ user: UserAccount }>('PUT', `/users/${encodeURIComponent(email)}`, patch),
    removeUser: (email: string) => call<unknown>('DELETE', `/users/${encodeURIComponent(email)}`),
    listCredentials: () => call<{ credentials: CredentialSummary[] }>('GET', '/credentials'),
    saveCredential: (name: string, type: string, values: Record<string, string>) =>
      call<CredentialSummary>('PUT', `/credentials/${encodeURIComponent(name)}`, { type, values }),
    deleteCredential: (name: string) =>
      call<unknown>('DELETE', `/credentials/${encodeURIComponent(name)}`),
    testSend: (name: string, to: string) =>
      call<TestSendAnswer>('POST', `/credentials/${encodeURIComponent(name)}/test-send`, { to }),

    affinities: () => call<AffinitySettings>('GET', '/settings/affinities'),
    saveAffinities: (affinities: AffinityDefinition[]) =>
      call<AffinitySettings>('PUT', '/settings/affinities', { affinities }),
    sendLimits: () => call<SendLimitSettings>('GET', '/settings/send-limits'),
    saveSendLimits: (limits: SendRateLimits) =>
      call<SendLimitSettings>('PUT', '/settings/send-limits', { limits }),

    listTemplates: (channel?: 'email' | 'inApp') =>
      call<{ templates: MessageTemplate[] }>('GET', `/templates${query({ channel })}`),
    getTemplate: (id: string) =>
      call<MessageTemplate>('GET', `/templates/${encodeURIComponent(id)}`),
    createTemplate: (content: MessageTemplateContent) =>
      call<MessageTemplate>('POST', '/templates', content),
    saveTemplate: (id: string, content: MessageTemplateContent, baseVersion: number) =>
      call<MessageTemplate>('PUT', `/templates/${encodeURIComponent(id)}`, {
        ...content,
        baseVersion,
      }),
    templateVersions: (id: string) =>
      call<{ versions: { version: number; savedAt: string }[] }>(
        'GET',
        `/templates/${encodeURIComponent(id)}/versions`,
      ),
    templateVersion: (id: string, version: number) =>
      call<MessageTemplate>('GET', `/templates/${encodeURIComponent(id)}/versions/${version}`),
    previewTemplate: (request: TemplateRenderRequest) =>
      call<RenderedTemplate>('POST', '/templates/preview', request),
    testSendTemplate: (request: TemplateRenderRequest & { to: string }) =>
      call<RenderedTemplate & { to: string }>('POST', '/templates/test-send', request),

    ingestion: () => call<IngestionLag>('GET', '/ingestion'),
    debuggerEvents: (q: DebuggerQuery = {}) =>
      call<DebuggerView>('GET', `/debugger/events${query(q)}`),
    eventSchema: () => call<EventSchema[]>('GET', '/schema/events'),
    metricSchema: () => call<MetricSchema[]>('GET', '/schema/metrics'),
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
