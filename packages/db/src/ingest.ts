import type { Connection } from 'mongoose';
import {
  emptyProfile,
  foldEvents,
  type CairnEvent,
  type ContactProfile,
  type ProfileSettings,
} from '@cairn/core';
import { decodeDocumentKeys, encodeDocumentKeys } from './keys.js';
import { contactKey, contactModel, type ContactDoc } from './models/contact.js';
import { eventKey, eventModel, pendingFoldModel, type EventDoc } from './models/event.js';
import { identityModel } from './models/identity.js';
import { enqueueJourneyTriggers } from './models/journey-trigger.js';
import { workspaceModel } from './models/workspace.js';
import { recordEventSchemas } from './models/event-schema.js';
import { loadWorkspaceSegments } from './segments/cache.js';
import { fileContactForEvaluation, fileContactsForEvaluation } from './segments/due.js';
import { evaluateMemberships, type MembershipOutcome } from './segments/membership.js';
import { countMembershipChanges, recordMembershipChanges } from './segments/reevaluate.js';

/** How many applied messageIds a contact remembers, so a replayed event is never folded twice. */
const RECENT_EVENT_IDS = 500;
const MAX_WRITE_ATTEMPTS = 20;
const ANONYMOUS_PREFIX = 'anon:';

export interface IngestOptions {
  now?: number;
}

export interface IngestReport {
  /** Events stored for the first time. */
  stored: number;
  /** Events whose messageId was already stored: they change nothing. */
  duplicates: number;
  /** Events folded into a profile by this call. */
  folded: number;
  /** Contacts whose profile changed. */
  contacts: string[];
}

/** Called after a contact's profile changed (segment re-evaluation plugs in here). */
export type ContactChangedHandler = (connection: Connection, workspaceId: string, contactId: string, now: number) => Promise<void>;

const contactChangedHandlers: ContactChangedHandler[] = [];

/** Registers work to do after every profile change, e.g. `reevaluateContact` from the segments module. */
export function onContactChanged(handler: ContactChangedHandler): void {
  if (!contactChangedHandlers.includes(handler)) contactChangedHandlers.push(handler);
}

const settingsCache = new Map<string, { settings: Partial<ProfileSettings>; until: number }>();

async function profileSettingsOf(connection: Connection, workspaceId: string): Promise<Partial<ProfileSettings>> {
  const cached = settingsCache.get(workspaceId);
  if (cached && cached.until > Date.now()) return cached.settings;
  const workspace = await workspaceModel(connection).findById(workspaceId).lean();
  const settings: Partial<ProfileSettings> = workspace?.settings?.orderEvent ? { orderEvent: workspace.settings.orderEvent } : {};
  settingsCache.set(workspaceId, { settings, until: Date.now() + 30_000 });
  return settings;
}

function duplicateIndexes(error: unknown): Set<number> | undefined {
  const writeErrors = (error as { writeErrors?: { index?: number; code?: number; err?: { index?: number; code?: number } }[] }).writeErrors;
  if (!writeErrors) return undefined;
  const duplicates = new Set<number>();
  for (const e of writeErrors) {
    const code = e.code ?? e.err?.code;
    const index = e.index ?? e.err?.index;
    if (code !== 11000 || index === undefined) return undefined;
    duplicates.add(index);
  }
  return duplicates;
}

/** insertMany that treats duplicate keys as "already there" and reports which documents were new. */
async function insertNew<T>(insert: (docs: T[]) => Promise<unknown>, docs: T[]): Promise<boolean[]> {
  if (docs.length === 0) return [];
  try {
    await insert(docs);
    return docs.map(() => true);
  } catch (error) {
    const duplicates = duplicateIndexes(error);
    if (!duplicates) throw error;
    return docs.map((_, i) => !duplicates.has(i));
  }
}

class IdentityResolver {
  private readonly cache = new Map<string, string>();
  /** Contacts to merge: anonymous (or aliased) contact id → identified contact id. */
  readonly merges = new Map<string, string>();

  constructor(
    private readonly connection: Connection,
    private readonly workspaceId: string,
  ) {}

  private async lookup(anonymousId: string): Promise<string | undefined> {
    if (this.cache.has(anonymousId)) return this.cache.get(anonymousId);
    const doc = await identityModel(this.connection).findById(`${this.workspaceId}:${anonymousId}`).lean();
    if (doc) this.cache.set(anonymousId, doc.contactId);
    return doc?.contactId;
  }

  private async link(anonymousId: string, contactId: string, mergeFrom: string): Promise<void> {
    const known = await this.lookup(anonymousId);
    if (known === contactId) return;
    await identityModel(this.connection).updateOne(
      { _id: `${this.workspaceId}:${anonymousId}` },
      { $set: { workspaceId: this.workspaceId, anonymousId, contactId } },
      { upsert: true },
    );
    this.cache.set(anonymousId, contactId);
    const from = known ?? mergeFrom;
    if (from !== contactId) this.merges.set(from, contactId);
  }

  async contactOf(event: CairnEvent): Promise<string> {
    if (event.type === 'alias' && event.previousId && event.userId) {
      // alias: everything known under previousId now belongs to userId.
      await this.link(event.previousId, event.userId, event.previousId);
      return event.userId;
    }
    if (event.userId) {
      if (event.anonymousId) await this.link(event.anonymousId, event.userId, ANONYMOUS_PREFIX + event.anonymousId);
      return event.userId;
    }
    const anonymousId = event.anonymousId as string;
    return (await this.lookup(anonymousId)) ?? ANONYMOUS_PREFIX + anonymousId;
  }
}

interface FoldCandidate {
  event: CairnEvent;
  /** False for a stored duplicate whose fold already completed (no pending marker was left). */
  eligible: boolean;
}

/** A contact seen for the first time: an empty profile at revision 0. */
function newContactDoc(workspaceId: string, contactId: string) {
  return {
    _id: contactKey(workspaceId, contactId),
    workspaceId,
    contactId,
    anonymous: contactId.startsWith(ANONYMOUS_PREFIX),
    traits: {},
    tags: [],
    profile: toStoredProfile(emptyProfile(contactId)),
    recentEventIds: [],
    rev: 0,
    segments: {},
    nextEvaluationAt: null,
    subscriptions: {},
  };
}

function toStoredProfile(profile: ContactProfile) {
  return encodeDocumentKeys(profile);
}

export function readProfile(doc: Pick<ContactDoc, 'profile'>): ContactProfile {
  return decodeDocumentKeys(doc.profile);
}

/**
 * Folds events into one contact's profile with optimistic concurrency: read the contact, fold what it
 * has not seen, write conditionally on the revision read, retry on conflict.
 */
async function foldIntoContact(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  candidates: FoldCandidate[],
  settings: Partial<ProfileSettings>,
  now: number,
): Promise<CairnEvent[]> {
  const Contacts = contactModel(connection);
  const _id = contactKey(workspaceId, contactId);
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const doc = await Contacts.findById(_id).lean();
    if (!doc) {
      await insertNew((docs) => Contacts.insertMany(docs), [newContactDoc(workspaceId, contactId)]);
      continue;
    }
    const toFold = unapplied(doc, candidates);
    if (toFold.length === 0) return [];
    const profile = foldEvents(readProfile(doc), toFold, settings);

    // Triggers before state: if we crash after this, the pending marker makes the fold happen again,
    // and the trigger ids are deterministic, so nothing is lost and nothing doubles.
    if (await workspaceHasJourneys(connection, workspaceId)) {
      await enqueueJourneyTriggers(connection, triggersFor(workspaceId, contactId, toFold));
    }

    // Due now, and filed so: if the process dies before segments are evaluated, the sweeper still comes.
    await fileContactForEvaluation(connection, workspaceId, contactId, now);
    const result = await Contacts.updateOne(
      { _id, rev: doc.rev },
      {
        $set: {
          profile: toStoredProfile(profile),
          traits: encodeDocumentKeys(profile.traits),
          recentEventIds: [...doc.recentEventIds, ...toFold.map((e) => e.messageId)].slice(-RECENT_EVENT_IDS),
          rev: doc.rev + 1,
          // Segment answers may have changed: the contact is due for evaluation now.
          nextEvaluationAt: now,
          updatedAt: new Date(now),
        },
      },
    );
    if (result.matchedCount === 1) return toFold;
  }
  throw new Error(`contact ${contactId}: too many concurrent updates; retry the request`);
}

async function mergeContacts(
  connection: Connection,
  workspaceId: string,
  fromContactId: string,
  intoContactId: string,
  settings: Partial<ProfileSettings>,
  now: number,
): Promise<boolean> {
  const Contacts = contactModel(connection);
  const from = await Contacts.findById(contactKey(workspaceId, fromContactId)).lean();
  if (!from || from.mergedInto) return false;
  const Events = eventModel(connection);
  const history = (await Events.find({ workspaceId, contactId: fromContactId }).lean()).map((doc) => eventFromDoc(doc));
  await foldIntoContact(
    connection,
    workspaceId,
    intoContactId,
    history.map((event) => ({ event, eligible: true })),
    settings,
    now,
  );
  await Events.updateMany({ workspaceId, contactId: fromContactId }, { $set: { contactId: intoContactId } });
  await identityModel(connection).updateMany({ workspaceId, contactId: fromContactId }, { $set: { contactId: intoContactId } });
  await Contacts.deleteOne({ _id: from._id });
  return true;
}

export function eventFromDoc(doc: EventDoc): CairnEvent {
  const { _id: _ignored, workspaceId: _ws, contactId: _contact, ...rest } = doc as EventDoc & { __v?: unknown };
  return decodeDocumentKeys(rest) as CairnEvent;
}

async function runPerContact<T>(items: [string, T][], concurrency: number, work: (contactId: string, item: T) => Promise<void>) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const [contactId, item] = items[next++] as [string, T];
      await work(contactId, item);
    }
  });
  await Promise.all(workers);
}

/** Events a contact has not applied yet, in timestamp order (duplicates within the batch dropped). */
function unapplied(doc: Pick<ContactDoc, 'recentEventIds'>, candidates: FoldCandidate[]): CairnEvent[] {
  const recent = new Set(doc.recentEventIds);
  const seen = new Set<string>();
  const out: CairnEvent[] = [];
  for (const c of candidates) {
    const id = c.event.messageId;
    if (!c.eligible || recent.has(id) || seen.has(id)) continue;
    seen.add(id);
    out.push(c.event);
  }
  return out.sort((a, b) => a.timestamp - b.timestamp);
}

function triggersFor(workspaceId: string, contactId: string, events: CairnEvent[]) {
  return events
    .filter((e) => e.type !== 'identify' && e.type !== 'alias' && e.type !== 'group')
    .map((e) => ({
      workspaceId,
      contactId,
      kind: 'event' as const,
      messageId: e.messageId,
      event: e.event,
      properties: encodeDocumentKeys(e.properties),
      at: e.timestamp,
    }));
}

const journeyInterest = new Map<string, { any: boolean; until: number }>();

/** Whether the workspace has journeys that may react to events; if not, event triggers are not written. */
async function workspaceHasJourneys(connection: Connection, workspaceId: string): Promise<boolean> {
  const cached = journeyInterest.get(workspaceId);
  if (cached && cached.until > Date.now()) return cached.any;
  const db = connection.db;
  const any = db ? (await db.collection('journeys').findOne({ workspaceId, status: { $in: ['published', 'paused'] } }, { projection: { _id: 1 } })) !== null : true;
  journeyInterest.set(workspaceId, { any, until: Date.now() + 2_000 });
  return any;
}

/** Lets a process that just published a journey see event triggers at once. */
export function forgetJourneyInterest(workspaceId: string): void {
  journeyInterest.delete(workspaceId);
}

/**
 * Folds a whole batch in a constant number of round trips: one read of all its contacts, one insert
 * of missing ones, one insert of journey triggers, one bulk of conditional writes. Contacts whose
 * write lost a race fall back to the one-contact path, which retries.
 */
async function foldBatch(
  connection: Connection,
  workspaceId: string,
  byContact: Map<string, FoldCandidate[]>,
  settings: Partial<ProfileSettings>,
  now: number,
  evaluatedInline: Set<string>,
): Promise<Map<string, CairnEvent[]>> {
  const Contacts = contactModel(connection);
  const ids = [...byContact.keys()];
  const keys = ids.map((id) => contactKey(workspaceId, id));
  // One _id lookup per contact, in parallel: FerretDB pushes down `_id` equality but scans for `$in`.
  const byIds = async (wanted: string[]) => (await Promise.all(wanted.map((k) => Contacts.findById(k).lean()))).filter((d): d is NonNullable<typeof d> => d !== null);
  const found = new Map((await byIds(keys)).map((d) => [d.contactId, d]));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    await insertNew(
      (docs) => Contacts.insertMany(docs, { ordered: false }),
      missing.map((contactId) => newContactDoc(workspaceId, contactId)),
    );
    for (const d of await byIds(missing.map((id) => contactKey(workspaceId, id)))) found.set(d.contactId, d);
  }

  // Segments are evaluated on the folded profile and written in the same update: one write per contact.
  const segments = await loadWorkspaceSegments(connection, workspaceId);
  const planned: { contactId: string; doc: ContactDoc; events: CairnEvent[]; profile: ContactProfile; outcome: MembershipOutcome }[] = [];
  for (const [contactId, candidates] of byContact) {
    const doc = found.get(contactId);
    if (!doc) continue;
    const events = unapplied(doc, candidates);
    if (events.length === 0) continue;
    const profile = foldEvents(readProfile(doc), events, settings);
    const outcome = evaluateMemberships({ contactId, profile, current: doc.segments ?? {}, segments: segments.ordered, now, profileSettings: segments.profileSettings });
    planned.push({ contactId, doc, events, profile, outcome });
  }
  const result = new Map<string, CairnEvent[]>();
  if (planned.length === 0) return result;

  // Triggers before state (see foldIntoContact).
  if (await workspaceHasJourneys(connection, workspaceId)) {
    await enqueueJourneyTriggers(connection, planned.flatMap((p) => triggersFor(workspaceId, p.contactId, p.events)));
  }
  // Membership history and segment triggers, then due buckets, before the state (as reevaluateContact does).
  await Promise.all(
    planned
      .filter((p) => p.outcome.entered.length || p.outcome.exited.length)
      .map((p) => recordMembershipChanges(connection, { workspaceId, contactId: p.contactId, now, reason: 'event', entered: p.outcome.entered, exited: p.outcome.exited })),
  );
  await fileContactsForEvaluation(
    connection,
    workspaceId,
    planned.flatMap((p) => {
      const at = p.outcome.nextEvaluationAt;
      return at === null || at === p.doc.nextEvaluationAt ? [] : [{ contactId: p.contactId, at }];
    }),
  );
  await Contacts.bulkWrite(
    planned.map((p) => ({
      updateOne: {
        filter: { _id: p.doc._id, rev: p.doc.rev },
        update: {
          $set: {
            profile: toStoredProfile(p.profile),
            traits: encodeDocumentKeys(p.profile.traits),
            recentEventIds: [...p.doc.recentEventIds, ...p.events.map((e) => e.messageId)].slice(-RECENT_EVENT_IDS),
            rev: p.doc.rev + 1,
            segments: p.outcome.segments,
            nextEvaluationAt: p.outcome.nextEvaluationAt,
            updatedAt: new Date(now),
          },
        },
      },
    })),
    { ordered: false },
  );
  const after = new Map((await byIds(planned.map((p) => p.doc._id))).map((d) => [d.contactId, d]));
  for (const p of planned) {
    const now_ = after.get(p.contactId);
    const last = p.events[p.events.length - 1]?.messageId;
    if (now_ && now_.rev === p.doc.rev + 1 && last !== undefined && now_.recentEventIds.includes(last)) {
      result.set(p.contactId, p.events);
      evaluatedInline.add(p.contactId);
      await countMembershipChanges(connection, workspaceId, now, p.outcome.entered, p.outcome.exited);
    } else {
      // Lost a race with another writer: redo this contact on the careful path.
      const applied = await foldIntoContact(connection, workspaceId, p.contactId, byContact.get(p.contactId) ?? [], settings, now);
      if (applied.length) result.set(p.contactId, applied);
    }
  }
  return result;
}

/**
 * Stores events durably (deduplicated by messageId) and folds them into their contacts' profiles,
 * exactly once per event even across retries and crashes. Events must already be normalized.
 */
export async function ingestEvents(
  connection: Connection,
  workspaceId: string,
  events: CairnEvent[],
  options: IngestOptions = {},
): Promise<IngestReport> {
  const now = options.now ?? Date.now();
  const settings = await profileSettingsOf(connection, workspaceId);
  const resolver = new IdentityResolver(connection, workspaceId);
  const contactIds: string[] = [];
  for (const event of events) contactIds.push(await resolver.contactOf(event));

  const markerDocs = events.map((event, i) => ({
    _id: eventKey(workspaceId, event.messageId),
    workspaceId,
    contactId: contactIds[i] as string,
    createdAt: new Date(now),
  }));
  const markerIsNew = await insertNew((docs) => pendingFoldModel(connection).insertMany(docs, { ordered: false }), markerDocs);
  const eventDocs = events.map((event, i) => ({
    ...encodeDocumentKeys(event),
    _id: eventKey(workspaceId, event.messageId),
    workspaceId,
    contactId: contactIds[i] as string,
  }));
  const eventIsNew = await insertNew((docs) => eventModel(connection).insertMany(docs, { ordered: false }), eventDocs);

  await recordEventSchemas(connection, workspaceId, events.filter((_, i) => eventIsNew[i]));

  const byContact = new Map<string, FoldCandidate[]>();
  const staleMarkers: string[] = [];
  events.forEach((event, i) => {
    // A stored duplicate whose marker we just created had been folded completely before.
    const eligible = (eventIsNew[i] ?? false) || !(markerIsNew[i] ?? false);
    if (!eligible) staleMarkers.push(markerDocs[i]!._id);
    const list = byContact.get(contactIds[i] as string) ?? [];
    list.push({ event, eligible });
    byContact.set(contactIds[i] as string, list);
  });
  if (staleMarkers.length) await pendingFoldModel(connection).deleteMany({ _id: { $in: staleMarkers } });

  const evaluatedInline = new Set<string>();
  const folds = await foldBatch(connection, workspaceId, byContact, settings, now, evaluatedInline);
  await pendingFoldModel(connection).deleteMany({ _id: { $in: markerDocs.map((m) => m._id) } });
  const changed = [...folds.keys()];
  const folded = [...folds.values()].reduce((n, list) => n + list.length, 0);

  for (const [from, into] of resolver.merges) {
    if (await mergeContacts(connection, workspaceId, from, into, settings, now)) {
      if (!changed.includes(into)) changed.push(into);
      evaluatedInline.delete(into);
    }
  }
  const toEvaluate = changed.filter((id) => !evaluatedInline.has(id));
  await runPerContact(toEvaluate.map((id) => [id, null]), 4, async (contactId) => {
    for (const handler of contactChangedHandlers) await handler(connection, workspaceId, contactId, now);
  });
  const stored = eventIsNew.filter(Boolean).length;
  return { stored, duplicates: events.length - stored, folded, contacts: changed };
}

/**
 * Finishes folds interrupted by a crash: every pending marker older than `olderThanMs` names a stored
 * event that may not be in its profile yet. Run at start-up and periodically.
 */
export async function foldPendingEvents(connection: Connection, options: { olderThanMs?: number; now?: number; limit?: number } = {}): Promise<number> {
  const now = options.now ?? Date.now();
  const cutoff = new Date(now - (options.olderThanMs ?? 30_000));
  const markers = await pendingFoldModel(connection)
    .find({ createdAt: { $lte: cutoff } })
    .limit(options.limit ?? 1000)
    .lean();
  if (markers.length === 0) return 0;
  const events = await eventModel(connection)
    .find({ _id: { $in: markers.map((m) => m._id) } })
    .lean();
  const byWorkspaceContact = new Map<string, { workspaceId: string; contactId: string; events: CairnEvent[] }>();
  for (const doc of events) {
    const key = `${doc.workspaceId}\u0000${doc.contactId}`;
    const entry = byWorkspaceContact.get(key) ?? { workspaceId: doc.workspaceId, contactId: doc.contactId, events: [] };
    entry.events.push(eventFromDoc(doc));
    byWorkspaceContact.set(key, entry);
  }
  let folded = 0;
  for (const { workspaceId, contactId, events: list } of byWorkspaceContact.values()) {
    const settings = await profileSettingsOf(connection, workspaceId);
    const applied = await foldIntoContact(connection, workspaceId, contactId, list.map((event) => ({ event, eligible: true })), settings, now);
    folded += applied.length;
    if (applied.length) for (const handler of contactChangedHandlers) await handler(connection, workspaceId, contactId, now);
  }
  // Markers without an event: the crash came before the event was stored and the client got no 200.
  await pendingFoldModel(connection).deleteMany({ _id: { $in: markers.map((m) => m._id) } });
  return folded;
}
