// Preview a journey for one contact: the designer's host for core's simulateJourney on a virtual clock.
import { DAY_MS, emptyProfile, evaluateSegment, foldEvents, simulateJourney } from '@cairn/core';
import type {
  ActionCatalog,
  ContactProfile,
  FoldableEvent,
  JourneyDefinition,
  SimulationResult,
} from '@cairn/core';

/** One event the described contact performs, `day` days after entering (0 or less: history before entering). */
export type ScriptedEvent = { day: number; event: string; properties?: Record<string, unknown> };

export type SimulatedPerson = {
  id: string;
  traits: Record<string, unknown>;
  /** A real contact's profile as the API returns it; a described contact's is folded from its events. */
  profile?: Record<string, unknown>;
  /** Segment ids the contact is in when it enters. */
  segments: string[];
  events: ScriptedEvent[];
};

export type SimulationRequest = {
  person: SimulatedPerson;
  startAt: Date;
  days: number;
  catalog: ActionCatalog;
  /** Output chosen for an action node, by node id (default: the action's first output). */
  actionOutputs?: Record<string, string>;
  /** The workspace's zone, for a contact with none when the journey names none. */
  workspaceTimezone?: string;
};

export type SimulationView = SimulationResult & { startAt: string; pathEdges: string[] };

const atDay = (startAt: Date, day: number) => new Date(startAt.getTime() + day * DAY_MS);

/**
 * The profile the journey's conditions read. A stored profile is topped up with empty defaults (so a
 * partial one never breaks the evaluator); history events (day ≤ 0) are folded in like ingestion would.
 */
export function profileFor(person: SimulatedPerson, startAt: Date): ContactProfile {
  const base = emptyProfile(person.id);
  const stored = (person.profile ?? {}) as Partial<ContactProfile>;
  let profile: ContactProfile = {
    ...base,
    ...stored,
    purchases: { ...base.purchases, ...(stored.purchases ?? {}) },
    categories: { ...base.categories, ...(stored.categories ?? {}) },
    email: { ...base.email, ...(stored.email ?? {}) },
    traits: { ...(stored.traits ?? {}), ...person.traits },
  };
  const history: FoldableEvent[] = person.events
    .filter((e) => e.day <= 0)
    .map((e, i) => ({
      messageId: `sim-${i}`,
      type: 'track',
      event: e.event,
      properties: e.properties ?? {},
      traits: {},
      timestamp: atDay(startAt, e.day).getTime(),
    }));
  if (history.length > 0) profile = foldEvents(profile, history);
  return profile;
}

/** Plays the journey forward for one contact. Nothing is sent: actions are only recorded. */
export function simulate(
  definition: JourneyDefinition,
  request: SimulationRequest,
): SimulationView {
  const { person, startAt, catalog } = request;
  const profile = profileFor(person, startAt);
  const memberships = Object.fromEntries(person.segments.map((id) => [id, true]));
  const trigger = definition.nodes.find((n) => n.kind === 'trigger');
  // A segment trigger means the contact has just entered that segment.
  if (trigger?.kind === 'trigger' && trigger.trigger.type === 'segmentEntered')
    memberships[trigger.trigger.segmentId] = true;
  const entryEvent =
    trigger?.kind === 'trigger' && trigger.trigger.type === 'event'
      ? { event: trigger.trigger.event, properties: {}, timestamp: startAt.toISOString() }
      : undefined;
  const timezone =
    typeof person.traits['timezone'] === 'string' ? person.traits['timezone'] : undefined;

  const result = simulateJourney(definition, {
    contact: {
      id: person.id,
      profile: profile as unknown as Record<string, unknown>,
      memberships,
      ...(timezone ? { timezone } : {}),
    },
    ...(request.workspaceTimezone ? { workspaceTimezone: request.workspaceTimezone } : {}),
    startAt,
    until: atDay(startAt, request.days),
    ...(entryEvent ? { entryEvent } : {}),
    events: person.events
      .filter((e) => e.day > 0)
      .map((e) => ({
        at: atDay(startAt, e.day),
        event: {
          event: e.event,
          properties: e.properties ?? {},
          timestamp: atDay(startAt, e.day).toISOString(),
        },
      })),
    catalog,
    ...(request.actionOutputs ? { actionOutputs: request.actionOutputs } : {}),
    evaluateCondition: (condition, facts) =>
      evaluateSegment(condition, {
        contactId: facts.contactId,
        profile,
        now: facts.now,
        memberships: new Set(
          Object.entries(facts.memberships)
            .filter(([, member]) => member)
            .map(([id]) => id),
        ),
      }).matches,
    seed: 'designer-preview',
  });
  return {
    ...result,
    startAt: startAt.toISOString(),
    pathEdges: edgesAlong(definition, result.path),
  };
}

/** Edge ids walked between consecutive path nodes, for highlighting on the canvas. */
export function edgesAlong(definition: JourneyDefinition, path: string[]): string[] {
  const ids: string[] = [];
  for (let i = 1; i < path.length; i++) {
    const edge = definition.edges.find((e) => e.source === path[i - 1] && e.target === path[i]);
    if (edge) ids.push(edge.id);
  }
  return ids;
}
