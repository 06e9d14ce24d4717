import {
  keepPreviousData,
  QueryClient,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import type { ConditionGroup, JourneyDefinition } from '@cairn/core';
import { useApi } from '../app/session.js';
import type { Me, MessageTemplateContent } from './client.js';

/**
 * Server state for the designer's pages, cached by TanStack Query. Every call goes through client.ts;
 * this file only says how each answer is keyed, how long it stays fresh and which keys a change makes stale.
 */
export const queryKeys = {
  me: ['me'] as const,
  journeys: ['journeys'] as const,
  journey: (id: string) => ['journeys', id] as const,
  journeyStats: (id: string) => ['journeys', id, 'stats'] as const,
  journeyFunnel: (id: string, period: Period) => ['journeys', id, 'funnel', period] as const,
  journeyTemplates: ['journey-templates'] as const,
  actionCatalog: ['catalog', 'actions'] as const,
  eventSchema: ['schema', 'events'] as const,
  metricSchema: ['schema', 'metrics'] as const,
  segments: ['segments'] as const,
  segment: (id: string) => ['segments', id] as const,
  /** Every list of templates, whatever its channel: `['templates', {}]` matches them all, no single template. */
  templates: (channel?: TemplateChannel) => ['templates', channel ? { channel } : {}] as const,
  template: (id: string) => ['templates', id] as const,
  templateVersions: (id: string, latest: number) => ['templates', id, 'versions', latest] as const,
  contacts: (q: string, cursor?: string) => ['contacts', { q, cursor }] as const,
  contact: (id: string) => ['contacts', id] as const,
  ingestion: ['ingestion'] as const,
  credentials: ['credentials'] as const,
  apiKeys: ['keys'] as const,
  users: ['users'] as const,
  affinities: ['settings', 'affinities'] as const,
  sendLimits: ['settings', 'send-limits'] as const,
};

type Period = { from: string; to: string };
type TemplateChannel = 'email' | 'inApp';

const STATS_POLL_MS = 5000;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Pages re-read what they show when opened; a failed read is shown at once, not retried thrice.
      queries: { staleTime: 0, retry: false, refetchOnWindowFocus: false },
    },
  });
}

/** Who is signed in and in which workspace; kept for the session, changed by saving workspace settings. */
export function useMeQuery(signedInAs: Me | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: () => api.me(),
    initialData: signedInAs,
    staleTime: Infinity,
  });
}

export function useJourneys() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.journeys, queryFn: () => api.listJourneys() });
}

export function useJourney(id: string) {
  const api = useApi();
  // The editor keeps its own draft once open, so no background re-read; closed, it is forgotten, so
  // opening it again reads the saved draft rather than the one it was opened with.
  return useQuery({
    queryKey: queryKeys.journey(id),
    queryFn: () => api.getJourney(id),
    staleTime: Infinity,
    gcTime: 0,
  });
}

/** Live step counts and daily series, polled while a version runs. */
export function useJourneyStats(id: string, live: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.journeyStats(id),
    queryFn: () => api.journeyStats(id),
    enabled: live,
    refetchInterval: live ? STATS_POLL_MS : false,
  });
}

/** A journey's step funnel over a period; the last period's answer stays shown while the next one loads. */
export function useJourneyFunnel(id: string, period: Period) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.journeyFunnel(id, period),
    queryFn: () => api.journeyFunnel(id, period),
    placeholderData: keepPreviousData,
  });
}

/** The ready-made journeys: they ship with the API, so one read per session is enough. */
export function useJourneyTemplates() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.journeyTemplates,
    queryFn: () => api.journeyTemplates(),
    staleTime: Infinity,
  });
}

export function useActionCatalog() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.actionCatalog,
    queryFn: () => api.actionCatalog(),
    staleTime: 60_000,
  });
}

// Pickers are a convenience: the forms still work with free text if these fail. A failed event catalog
// stays an error (no data) rather than an empty list, so no name is warned about as never seen.
export function useEventSchema() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.eventSchema,
    queryFn: () => api.eventSchema(),
    staleTime: 30_000,
  });
}
export function useMetricSchema() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.metricSchema,
    queryFn: () => api.metricSchema().catch(() => []),
  });
}

export function useSegments() {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.segments, queryFn: () => api.listSegments() });
}

export function useSegment(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.segment(id ?? 'new'),
    queryFn: () => api.getSegment(id!),
    enabled: id !== undefined,
    staleTime: Infinity,
    gcTime: 0,
  });
}

export function useTemplates(channel?: TemplateChannel) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.templates(channel),
    queryFn: () => api.listTemplates(channel),
  });
}

export function useTemplate(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.template(id ?? 'new'),
    queryFn: () => api.getTemplate(id!),
    enabled: id !== undefined,
    staleTime: Infinity,
    gcTime: 0,
  });
}

/** The versions of a template (none asked for while no template is picked), read again once a save makes a new latest. */
export function useTemplateVersions(id: string, latest: number) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.templateVersions(id, latest),
    queryFn: () => api.templateVersions(id),
    enabled: id !== '',
  });
}

/** Creates a template or saves a new version of it; the list (names, latest versions) goes stale. */
export function useSaveTemplate() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({
      saved,
      content,
    }: {
      saved: { id: string; version: number } | undefined;
      content: MessageTemplateContent;
    }) =>
      saved ? api.saveTemplate(saved.id, content, saved.version) : api.createTemplate(content),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.templates() }),
  });
}

export function useContacts(q: string, cursor: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.contacts(q, cursor),
    queryFn: () => api.listContacts(q || undefined, cursor),
  });
}

export function useContact(id: string) {
  const api = useApi();
  return useQuery({ queryKey: queryKeys.contact(id), queryFn: () => api.getContact(id) });
}

const FOLD_POLL_MS = 2000;

/** How far profiles are behind the events sent; read again while some are still being folded. */
export function useIngestionLag() {
  const api = useApi();
  return useQuery({
    queryKey: queryKeys.ingestion,
    queryFn: () => api.ingestion(),
    refetchInterval: (query) => (query.state.data?.unfoldedEvents ? FOLD_POLL_MS : false),
  });
}

export function useCreateJourney() {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ name, definition }: { name: string; definition: JourneyDefinition }) =>
      api.createJourney(name, definition),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.journeys }),
  });
}

/**
 * What the journeys list does to a row: a copy as a new draft, a new name, or the journey archived (its
 * runs stopped). Every one changes the list; a rename also changes the journey itself.
 */
export function useJourneyListActions() {
  const api = useApi();
  const client = useQueryClient();
  const changed = () => client.invalidateQueries({ queryKey: queryKeys.journeys, exact: true });
  return {
    rename: useMutation({
      // The draft carries the name too: saved without it, the editor's next save would bring the old one back.
      mutationFn: async ({ id, name }: { id: string; name: string }) => {
        const journey = await api.getJourney(id);
        return api.renameJourney(id, name, { ...journey.draft, name });
      },
      onSuccess: (_saved, { id }) =>
        Promise.all([changed(), client.invalidateQueries({ queryKey: queryKeys.journey(id) })]),
    }),
    duplicate: useMutation({
      mutationFn: async (id: string) => {
        const journey = await api.getJourney(id);
        const name = `Copy of ${journey.name}`;
        return api.createJourney(name, { ...journey.draft, name });
      },
      onSuccess: changed,
    }),
    archive: useMutation({
      mutationFn: (id: string) => api.archiveJourney(id),
      onSuccess: changed,
    }),
  };
}

/** Saving, publishing, pausing and resuming change the journey's row in the list and its stats. */
export function useJourneyMutations(id: string) {
  const api = useApi();
  const client = useQueryClient();
  const changed = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: queryKeys.journeys, exact: true }),
      client.invalidateQueries({ queryKey: queryKeys.journeyStats(id) }),
    ]);
  return {
    saveDraft: useMutation({
      mutationFn: (definition: JourneyDefinition) => api.saveDraft(id, definition),
      onSuccess: changed,
    }),
    publish: useMutation({
      mutationFn: (options: { enrollExisting?: boolean }) => api.publish(id, options),
      onSuccess: changed,
    }),
    setRunning: useMutation({
      mutationFn: (run: boolean) => (run ? api.resume(id) : api.pause(id)),
      onSuccess: changed,
    }),
  };
}

/** What the segments list does to a row: a copy (counted from scratch), a new name, or the segment archived. */
export function useSegmentListActions() {
  const api = useApi();
  const client = useQueryClient();
  const changed = () => client.invalidateQueries({ queryKey: queryKeys.segments, exact: true });
  return {
    rename: useMutation({
      mutationFn: ({ id, name }: { id: string; name: string }) => api.renameSegment(id, name),
      onSuccess: (_saved, { id }) =>
        Promise.all([changed(), client.invalidateQueries({ queryKey: queryKeys.segment(id) })]),
    }),
    duplicate: useMutation({
      mutationFn: async (id: string) => {
        const segment = await api.getSegment(id);
        return api.createSegment({
          name: `Copy of ${segment.name}`,
          description: segment.description ?? '',
          definition: segment.definition,
        });
      },
      onSuccess: changed,
    }),
    archive: useMutation({ mutationFn: (id: string) => api.deleteSegment(id), onSuccess: changed }),
  };
}

type SegmentBody = { name: string; description: string; definition: ConditionGroup };

/** Creates or updates a segment; the list (names, member counts) and its own page go stale. */
export function useSaveSegment(id: string | undefined) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: SegmentBody): Promise<{ id: string }> =>
      id ? (await api.updateSegment(id, body), { id }) : api.createSegment(body),
    onSuccess: (saved) =>
      Promise.all([
        client.invalidateQueries({ queryKey: queryKeys.segments, exact: true }),
        client.invalidateQueries({ queryKey: queryKeys.segment(saved.id) }),
      ]),
  });
}

const NAMES_STALE_MS = 60_000;

/**
 * Segment, journey and template names for the ids a step card shows. Each list is read only when a card
 * needs it and is then shared by every card for a minute, so a 500-step canvas asks once, not 500 times.
 */
export function useNamesFor(need: { segment: boolean; journey: boolean; template: boolean }) {
  const api = useApi();
  const client = useQueryClient();
  const segments = useQuery({
    queryKey: queryKeys.segments,
    queryFn: () => api.listSegments(),
    enabled: need.segment,
    staleTime: NAMES_STALE_MS,
  });
  const journeys = useQuery({
    queryKey: queryKeys.journeys,
    queryFn: () => api.listJourneys(),
    enabled: need.journey,
    staleTime: NAMES_STALE_MS,
  });
  const templates = useQuery({
    queryKey: queryKeys.templates(),
    queryFn: () => api.listTemplates(),
    enabled: need.template,
    staleTime: NAMES_STALE_MS,
  });
  return {
    segment: (id: string) => segments.data?.find((s) => s.id === id)?.name,
    journey: (id: string) => journeys.data?.find((j) => j.id === id)?.name,
    // A template picked from a fresher list (the email form's, by channel) is named before this one refreshes.
    template: (id: string) =>
      templates.data?.templates.find((t) => t.id === id)?.name ??
      client
        .getQueriesData<{ templates?: { id: string; name: string }[] }>({
          queryKey: queryKeys.templates(),
        })
        .flatMap(([, list]) => list?.templates ?? [])
        .find((t) => t.id === id)?.name,
  };
}
