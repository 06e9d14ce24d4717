import { executeAction } from './define.js';
import { PermanentActionError } from './errors.js';
import type {
  ActionContact,
  ActionContext,
  ActionDefinition,
  ActionJourney,
  ActionResult,
  ActionWorkspace,
  ActionServices,
  ContactTraitsUpdate,
  InAppMessage,
  SavedMessageTemplate,
  RecordedEvent,
  SubscriptionChannel,
} from './types.js';

/** Every call the action made, in order, for assertions. */
export type FakeServiceCall =
  | { method: 'updateContact'; contactId: string; update: ContactTraitsUpdate }
  | { method: 'storeInAppMessage'; contactId: string; message: InAppMessage }
  | { method: 'startJourney'; journeyId: string; contactId: string }
  | { method: 'stopJourney'; journeyId: string; contactId: string }
  | { method: 'recordEvent'; contactId: string; event: RecordedEvent }
  | { method: 'isSubscribed'; contactId: string; channel: SubscriptionChannel };

export interface FakeActionServices extends ActionServices {
  calls: FakeServiceCall[];
  /** Contact state after updateContact calls, starting from the traits you passed in. */
  contacts: Map<string, { traits: Record<string, unknown>; tags: Set<string> }>;
  events: { contactId: string; event: RecordedEvent }[];
  inAppMessages: { contactId: string; message: InAppMessage }[];
  /** Channels a contact unsubscribed from: `unsubscribe(contactId, 'email')`. */
  unsubscribe(contactId: string, channel: SubscriptionChannel): void;
}

export function createFakeServices(
  seed: { contacts?: ActionContact[]; templates?: SavedMessageTemplate[] } = {},
): FakeActionServices {
  const unsubscribed = new Set<string>();
  const contacts = new Map<string, { traits: Record<string, unknown>; tags: Set<string> }>();
  for (const c of seed.contacts ?? []) {
    const tags = Array.isArray(c.traits.tags) ? (c.traits.tags as string[]) : [];
    contacts.set(c.id, { traits: { ...c.traits }, tags: new Set(tags) });
  }
  const stateOf = (id: string) => {
    let s = contacts.get(id);
    if (!s) contacts.set(id, (s = { traits: {}, tags: new Set() }));
    return s;
  };
  const fake: FakeActionServices = {
    calls: [],
    contacts,
    events: [],
    inAppMessages: [],
    unsubscribe(contactId, channel) {
      unsubscribed.add(`${contactId}\u0000${channel}`);
    },
    async updateContact(contactId, update) {
      fake.calls.push({ method: 'updateContact', contactId, update });
      const s = stateOf(contactId);
      Object.assign(s.traits, update.setTraits ?? {});
      for (const key of update.unsetTraits ?? []) delete s.traits[key];
      for (const tag of update.addTags ?? []) s.tags.add(tag);
      for (const tag of update.removeTags ?? []) s.tags.delete(tag);
    },
    async storeInAppMessage(contactId, message) {
      fake.calls.push({ method: 'storeInAppMessage', contactId, message });
      fake.inAppMessages.push({ contactId, message });
    },
    async startJourney(journeyId, contactId) {
      fake.calls.push({ method: 'startJourney', journeyId, contactId });
    },
    async stopJourney(journeyId, contactId) {
      fake.calls.push({ method: 'stopJourney', journeyId, contactId });
    },
    async recordEvent(contactId, event) {
      fake.calls.push({ method: 'recordEvent', contactId, event });
      fake.events.push({ contactId, event });
    },
    async isSubscribed(contactId, channel) {
      fake.calls.push({ method: 'isSubscribed', contactId, channel });
      return !unsubscribed.has(`${contactId}\u0000${channel}`);
    },
    async messageTemplate(id, version) {
      return seed.templates?.find((t) => t.id === id && t.version === version);
    },
  };
  return fake;
}

export interface RunActionForTestOptions {
  contact?: Partial<ActionContact>;
  journey?: Partial<ActionJourney>;
  workspaceId?: string;
  workspace?: ActionWorkspace;
  services?: FakeActionServices;
  /** Secrets by credential name, as the worker's credential store would return them. */
  credentials?: Record<string, Record<string, string>>;
  idempotencyKey?: string;
  now?: Date;
}

export interface ActionTestRun extends ActionResult {
  services: FakeActionServices;
  logs: { level: 'info' | 'warn' | 'error'; message: string; fields?: Record<string, unknown> }[];
  heartbeats: unknown[];
  ctx: ActionContext;
}

/**
 * Runs an action the way the worker does (config parsed with defaults, output checked against
 * the declared ones) but with in-memory services, so an action author needs no Temporal or MongoDB.
 * Errors the action throws (RetryableActionError, PermanentActionError) propagate unchanged.
 */
export async function runActionForTest(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  def: ActionDefinition<any, any>,
  config: unknown,
  options: RunActionForTestOptions = {},
): Promise<ActionTestRun> {
  const contact: ActionContact = {
    id: options.contact?.id ?? 'contact-1',
    traits: options.contact?.traits ?? { email: 'ada@example.com', firstName: 'Ada' },
    profile: options.contact?.profile ?? {},
  };
  const journey: ActionJourney = {
    id: options.journey?.id ?? 'journey-1',
    version: options.journey?.version ?? 1,
    runId: options.journey?.runId ?? 'run-1',
    nodeId: options.journey?.nodeId ?? 'node-1',
  };
  const services = options.services ?? createFakeServices({ contacts: [contact] });
  if (!services.contacts.has(contact.id)) {
    services.contacts.set(contact.id, { traits: { ...contact.traits }, tags: new Set() });
  }
  const logs: ActionTestRun['logs'] = [];
  const heartbeats: unknown[] = [];
  const secrets = options.credentials ?? {};
  const at = options.now ?? new Date('2025-01-15T12:00:00Z');
  const ctx: ActionContext = {
    contact,
    journey,
    ...(options.workspaceId === undefined ? {} : { workspaceId: options.workspaceId }),
    ...(options.workspace === undefined ? {} : { workspace: options.workspace }),
    idempotencyKey:
      options.idempotencyKey ?? `${journey.id}:${contact.id}:${journey.runId}:${journey.nodeId}`,
    log: {
      info: (message, fields) =>
        logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
      warn: (message, fields) =>
        logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
      error: (message, fields) =>
        logs.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
    },
    credentials: {
      async get(name) {
        const found = secrets[name];
        if (!found)
          throw new PermanentActionError(
            `credential "${name}" is not configured; add it under Settings → Credentials`,
          );
        return { ...found };
      },
    },
    heartbeat: (details) => {
      heartbeats.push(details);
    },
    services,
    now: () => new Date(at),
  };
  const answer = await executeAction(def, ctx, config);
  return { ...answer, services, logs, heartbeats, ctx };
}
