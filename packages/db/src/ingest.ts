// Long: the append and fold stages with their merges; to split along the stages in ingestion.ts.
import { randomUUID } from 'node:crypto';
import type { Connection } from 'mongoose';
import {
  emptyProfile,
  foldEvents,
  type CairnEvent,
  type ContactProfile,
  type ProfileSettings,
} from '@cairn/core';
import { contactCache, forgetContacts, type CachedContact } from './contact-cache.js';
import { traced } from './fold-trace.js';
import { deleteByIds, findByIds, updateByIds } from './by-id.js';
import {
  engineOf,
  insertNew,
  updateIfUnchanged,
  upsertRacing,
  withDocumentLocks,
} from './connection.js';
import { isTransientStorageError } from './engines/index.js';
import { decodeDocumentKeys, encodeDocumentKeys } from './keys.js';
import {
  ANONYMOUS_PREFIX,
  contactKey,
  contactModel,
  recentEventIdsOf,
  type ContactDoc,
} from './models/contact.js';
import { fileInDirectory, removeFromDirectory } from './contact-directory.js';
import { eventKey, eventModel, pendingFoldModel, type EventDoc } from './models/event.js';
import { identityModel } from './models/identity.js';
import { journeyInterestOf } from './journey-interest.js';
import { enqueueJourneyTriggers, profileChangedTrigger } from './models/journey-trigger.js';
import {
  deleteActivities,
  loadProfile,
  loadProfiles,
  profileSettingsOf,
  storedProfileParts,
  writeActivities,
} from './profiles.js';
import { recordEventSchemas } from './models/event-schema.js';
import { loadWorkspaceSegments } from './segments/cache.js';
import { fileContactForEvaluation, fileContactsForEvaluation } from './segments/due.js';
import {
  evaluateMemberships,
  type MembershipChange,
  type MembershipOutcome,
} from './segments/membership.js';
import {
  countMembershipChanges,
  recordMembershipChangesMany,
  reevaluateContact,
} from './segments/reevaluate.js';
import { forEachWithLimit } from './segments/limit.js';
import { fileNewMembers, removeFormerMembers, type MemberExit } from './segments/member-pages.js';

/** Single writes kept in flight at once by a fold (the server's pool is shared with every other request). */
const WRITES_IN_FLIGHT = 8;

/**
 * How many applied messageIds a contact remembers. Exactly-once no longer rests on this window (a duplicate is
 * folded only by the request that inserted it, a marker once per contact through lastFoldMarkers, a merge once
 * through mergedFrom); it serves markers written before those existed and lists a short history by `_id`.
 */
const RECENT_EVENT_IDS = 50;
const MAX_WRITE_ATTEMPTS = 20;

export interface IngestOptions {
  now?: number;
  /**
   * How long the caller may take to fold what it stores (storeEvents). Until then the pending-fold
   * sweeper leaves the events alone; after it, they count as left behind by a crash. Default 30 s.
   */
  foldWithinMs?: number;
}

/** How long live ingestion may take between storing an event and folding it. */
export const DEFAULT_FOLD_WITHIN_MS = 30_000;

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

/**
 * The evaluation stage for contacts folded one at a time (the careful path, merges): the same
 * `reevaluateContact` that trait updates and the sweep call, so every way an event arrives evaluates
 * segments alike. Pages folded in bulk evaluate inline (foldBatchLocked) and skip it.
 */
async function evaluateSegments(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  now: number,
): Promise<void> {
  await reevaluateContact(connection, { workspaceId, contactId, now, reason: 'event' });
}

class IdentityResolver {
  /** anonymousId → its contact, or undefined once known to have none. */
  private readonly cache = new Map<string, string | undefined>();
  /** Contacts to merge: anonymous (or aliased) contact id → identified contact id. */
  readonly merges = new Map<string, string>();

  constructor(
    private readonly connection: Connection,
    private readonly workspaceId: string,
  ) {}

  /** Reads the identities a request names in parallel, so resolving its events one by one is all in memory. */
  async prefetch(events: CairnEvent[]): Promise<void> {
    const wanted = [
      ...new Set(
        events
          .flatMap((e) => [e.anonymousId, e.type === 'alias' ? e.previousId : undefined])
          .filter((id): id is string => !!id && !this.cache.has(id)),
      ),
    ];
    const Identities = identityModel(this.connection);
    const docs = await findByIds(
      this.connection,
      Identities,
      wanted.map((id) => `${this.workspaceId}:${id}`),
    );
    wanted.forEach((id, i) => this.cache.set(id, docs[i]?.contactId));
  }

  private async lookup(anonymousId: string): Promise<string | undefined> {
    if (this.cache.has(anonymousId)) return this.cache.get(anonymousId);
    const doc = await identityModel(this.connection)
      .findById(`${this.workspaceId}:${anonymousId}`)
      .lean();
    if (doc) this.cache.set(anonymousId, doc.contactId);
    return doc?.contactId;
  }

  /** Links decided while resolving, written together by `flush` (the last one per anonymous id wins). */
  private readonly links = new Map<string, string>();

  private async link(anonymousId: string, contactId: string, mergeFrom: string): Promise<void> {
    const known = await this.lookup(anonymousId);
    if (known === contactId) return;
    this.links.set(anonymousId, contactId);
    this.cache.set(anonymousId, contactId);
    const from = known ?? mergeFrom;
    if (from !== contactId) this.merges.set(from, contactId);
  }

  /**
   * Writes the links this request made before its events are stored: new ones in one insert, and those that
   * exist already (re-pointed, or inserted by a concurrent request) updated one by one.
   */
  async flush(): Promise<void> {
    const Identities = identityModel(this.connection);
    const docs = [...this.links].map(([anonymousId, contactId]) => ({
      _id: `${this.workspaceId}:${anonymousId}`,
      workspaceId: this.workspaceId,
      anonymousId,
      contactId,
      createdAt: new Date(),
    }));
    this.links.clear();
    const inserted = await insertNew(
      (batch) => Identities.insertMany(batch, { ordered: false, lean: true }),
      docs,
    );
    await forEachWithLimit(
      docs.filter((_, i) => !inserted[i]),
      16,
      ({ _id, ...fields }) =>
        // Two batches naming the same new anonymous id race to insert it; the loser retries as an update.
        upsertRacing(() => Identities.updateOne({ _id }, { $set: fields }, { upsert: true })).then(
          () => undefined,
        ),
    );
  }

  async contactOf(event: CairnEvent): Promise<string> {
    if (event.type === 'alias' && event.previousId && event.userId) {
      // alias: everything known under previousId now belongs to userId.
      await this.link(event.previousId, event.userId, event.previousId);
      return event.userId;
    }
    if (event.userId) {
      if (event.anonymousId)
        await this.link(event.anonymousId, event.userId, ANONYMOUS_PREFIX + event.anonymousId);
      return event.userId;
    }
    const anonymousId = event.anonymousId as string;
    return (await this.lookup(anonymousId)) ?? ANONYMOUS_PREFIX + anonymousId;
  }
}

export interface FoldCandidate {
  event: CairnEvent;
  /** False for a duplicate: the request that inserted the event folds it. */
  eligible: boolean;
  /** The pending-fold marker the event is folded on behalf of. */
  marker?: string;
  /** Set on the history of a contact being merged into this one: the merged contact's id. */
  mergedFrom?: string;
}

/**
 * The markers a contact's last fold applied, plus earlier ones still pending (a fold that committed and
 * died before deleting its marker). The sweeper skips a marker a contact lists, so a marker is folded into
 * each contact once however many events the contact received since; a marker is kept in the list for as
 * long as it exists.
 */
async function stillPendingMarkers(
  connection: Connection,
  docs: Pick<ContactDoc, 'lastFoldMarkers'>[],
): Promise<Set<string>> {
  const ids = [...new Set(docs.flatMap((d) => d.lastFoldMarkers ?? []))];
  const Markers = pendingFoldModel(connection);
  const found = await findByIds(connection, Markers, ids, { _id: 1 });
  return new Set(found.filter((m): m is NonNullable<typeof m> => m !== null).map((m) => m._id));
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
    profile: storedProfileParts(emptyProfile(contactId)).summary,
    recentIds: '[]',
    // Filed in the directory from its first write on (an empty list names no page yet).
    searchEntries: [] as string[],
    foldRev: 0,
    rev: 0,
    segments: {},
    nextEvaluationAt: null,
    subscriptions: {},
  };
}

/** What a fold changes on the contact document besides segments: the summary and the fold bookkeeping. */
function foldedFields(
  doc: Pick<ContactDoc, 'recentIds' | 'recentEventIds' | 'foldRev' | 'lastFoldMarkers'>,
  profile: ContactProfile,
  events: CairnEvent[],
  markers: Iterable<string>,
  pending: Set<string>,
) {
  const { summary, activityEvents } = storedProfileParts(profile);
  const ids = events.map((e) => e.messageId);
  const lastFoldMarkers = [
    ...new Set([...markers, ...(doc.lastFoldMarkers ?? []).filter((m) => pending.has(m))]),
  ];
  return {
    set: {
      profile: summary,
      traits: encodeDocumentKeys(profile.traits),
      // The last fold's ids are always the tail of the remembered ones (lastFoldCount says how many).
      recentIds: JSON.stringify(
        [...recentEventIdsOf(doc), ...ids].slice(-Math.max(RECENT_EVENT_IDS, ids.length)),
      ),
      foldRev: (doc.foldRev ?? 0) + 1,
      lastFoldCount: ids.length,
      lastFoldMarkers,
    },
    activityEvents,
  };
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
  /** Contact ids whose history this fold takes over (a merge); remembered so their events stay findable. */
  mergedFrom: string[] = [],
  /** False when a fold of this contact that evaluates its segments follows at once (a merge before its batch). */
  fileDue = true,
): Promise<CairnEvent[]> {
  const Contacts = contactModel(connection);
  const _id = contactKey(workspaceId, contactId);
  // This path writes without remembering: the next fold reads the contact afresh.
  forgetContacts(connection, [_id]);
  return withDocumentLocks([_id], async () => {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const doc = await Contacts.findById(_id).lean();
      if (!doc) {
        await insertNew(
          (docs) => Contacts.insertMany(docs),
          [newContactDoc(workspaceId, contactId)],
        );
        continue;
      }
      // A merge records the merged contact in the same write that folds its history: seen there, it is done.
      if (mergedFrom.length > 0 && (doc.mergedFrom ?? []).includes(mergedFrom[0] as string))
        return [];
      const { events: toFold, markers } = unapplied(doc, candidates);
      const newlyMerged = mergedFrom.filter((id) => !(doc.mergedFrom ?? []).includes(id));
      const alreadyMerged = newlyMerged.length === 0;
      if (toFold.length === 0 && alreadyMerged) return [];
      const profile = foldEvents(await loadProfile(connection, doc), toFold, settings);

      // Triggers before state: if we crash after this, the pending marker makes the fold happen again,
      // and the trigger ids are deterministic, so nothing is lost and nothing doubles.
      const interest = await journeyInterestOf(connection, workspaceId);
      if (interest.any) {
        await enqueueJourneyTriggers(connection, [
          ...triggersFor(workspaceId, contactId, toFold, interest.events),
          profileChangedTrigger(workspaceId, contactId, doc.rev + 1, now),
        ]);
      }

      // Due now, and filed so: if the process dies before segments are evaluated, the sweeper still comes.
      if (fileDue) await fileContactForEvaluation(connection, workspaceId, contactId, now);
      // Search entries before the write that names them (contact-directory.ts).
      const directory = (
        await fileInDirectory(connection, workspaceId, [
          { contactId, before: doc, traits: profile.traits },
        ])
      ).get(contactId);
      const folded = foldedFields(
        doc,
        profile,
        toFold,
        markers,
        await stillPendingMarkers(connection, [doc]),
      );
      const result = await updateIfUnchanged(
        connection,
        Contacts,
        _id,
        { rev: doc.rev },
        {
          $set: {
            ...folded.set,
            rev: doc.rev + 1,
            ...(alreadyMerged ? {} : { mergedFrom: [...(doc.mergedFrom ?? []), ...newlyMerged] }),
            ...(directory ? { searchEntries: directory.searchEntries } : {}),
            // Segment answers may have changed: the contact is due for evaluation now.
            nextEvaluationAt: now,
            updatedAt: new Date(now),
          },
          // Older forms: the remembered ids as a list, the last fold's ids apart (now both in `recentIds`).
          $unset: { recentEventIds: '', lastFoldIds: '' },
        },
      );
      if (result.matchedCount === 1) {
        await writeActivities(connection, [
          { workspaceId, contactId, foldRev: folded.set.foldRev, events: folded.activityEvents },
        ]);
        if (directory?.stale.length)
          await removeFromDirectory(connection, workspaceId, [
            { contactId, stale: directory.stale },
          ]);
        return toFold;
      }
    }
    throw new Error(`contact ${contactId}: too many concurrent updates; retry the request`);
  });
}

/**
 * The stored events of a contact. Its applied messageIds are complete while fewer than the remembered
 * maximum, and then each event is one `_id` read; otherwise (a long history) a query by contact.
 */
async function historyOf(
  connection: Connection,
  workspaceId: string,
  contact: Pick<ContactDoc, 'contactId' | 'recentIds' | 'recentEventIds'>,
): Promise<CairnEvent[]> {
  const Events = eventModel(connection);
  const recent = recentEventIdsOf(contact);
  if (recent.length >= RECENT_EVENT_IDS) {
    return (await Events.find({ workspaceId, contactId: contact.contactId }).lean()).map((doc) =>
      eventFromDoc(doc),
    );
  }
  const docs: EventDoc[] = [];
  const ids = recent.map((messageId) => eventKey(workspaceId, messageId));
  for (const doc of await findByIds(connection, Events, ids)) if (doc) docs.push(doc);
  return docs.map((doc) => eventFromDoc(doc));
}

/**
 * Moves an anonymous (or aliased) contact's history into the identified one. Its events keep their
 * stored contactId; the survivor lists it in `mergedFrom`, and timelines and deletes read both. (On
 * FerretDB v1 rewriting them would scan the whole events collection once per merge.)
 */
async function mergeContacts(
  connection: Connection,
  workspaceId: string,
  fromContactId: string,
  intoContactId: string,
  settings: Partial<ProfileSettings>,
  now: number,
  fileDue = true,
): Promise<boolean> {
  const Contacts = contactModel(connection);
  const from = await Contacts.findById(contactKey(workspaceId, fromContactId)).lean();
  if (!from || from.mergedInto) return false;
  const history = await historyOf(connection, workspaceId, from);
  await foldIntoContact(
    connection,
    workspaceId,
    intoContactId,
    history.map((event) => ({ event, eligible: true })),
    settings,
    now,
    [fromContactId, ...(from.mergedFrom ?? [])],
    fileDue,
  );
  // Identities only ever point at identified contacts, so an anonymous one has none to move.
  if (!fromContactId.startsWith(ANONYMOUS_PREFIX)) {
    await identityModel(connection).updateMany(
      { workspaceId, contactId: fromContactId },
      { $set: { contactId: intoContactId } },
    );
  }
  await Contacts.deleteOne({ _id: from._id });
  await deleteActivities(connection, [from._id]);
  await removeFromDirectory(connection, workspaceId, [
    { contactId: fromContactId, stale: from.searchEntries ?? [] },
  ]);
  return true;
}

export function eventFromDoc(doc: EventDoc): CairnEvent {
  const {
    _id: _ignored,
    workspaceId: _ws,
    contactId: _contact,
    ...rest
  } = doc as EventDoc & { __v?: unknown };
  return decodeDocumentKeys(rest) as CairnEvent;
}

async function runPerContact<T>(
  items: [string, T][],
  concurrency: number,
  work: (contactId: string, item: T) => Promise<void>,
) {
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
function unapplied(
  doc: Pick<ContactDoc, 'recentIds' | 'recentEventIds' | 'lastFoldIds' | 'lastFoldMarkers'>,
  candidates: FoldCandidate[],
): { events: CairnEvent[]; markers: Set<string> } {
  const recent = new Set([...recentEventIdsOf(doc), ...(doc.lastFoldIds ?? [])]);
  const folded = new Set(doc.lastFoldMarkers ?? []);
  const seen = new Set<string>();
  const out: CairnEvent[] = [];
  const markers = new Set<string>();
  for (const c of candidates) {
    const id = c.event.messageId;
    if (
      !c.eligible ||
      recent.has(id) ||
      seen.has(id) ||
      (c.marker !== undefined && folded.has(c.marker))
    )
      continue;
    seen.add(id);
    out.push(c.event);
    if (c.marker !== undefined) markers.add(c.marker);
  }
  return { events: out.sort((a, b) => a.timestamp - b.timestamp), markers };
}

function triggersFor(
  workspaceId: string,
  contactId: string,
  events: CairnEvent[],
  heard: Set<string>,
) {
  return events
    .filter((e) => e.type !== 'identify' && e.type !== 'alias' && e.type !== 'group')
    .filter((e) => heard.has(e.event))
    .map((e) => ({
      workspaceId,
      contactId,
      kind: 'event' as const,
      messageId: e.messageId,
      event: e.event,
      properties: encodeDocumentKeys(e.properties),
      at: e.timestamp,
      receivedAt: e.receivedAt,
      ...(e.startsJourneys !== undefined ? { startsJourneys: e.startsJourneys } : {}),
    }));
}

/**
 * Folds a whole batch in a constant number of round trips: one read of all its contacts, one insert
 * of missing ones, one insert of journey triggers, one bulk of conditional writes. Contacts whose
 * write lost a race fall back to the one-contact path, which retries.
 */
async function foldBatchLocked(
  connection: Connection,
  workspaceId: string,
  byContact: Map<string, FoldCandidate[]>,
  settings: Partial<ProfileSettings>,
  now: number,
  evaluatedInline: Set<string>,
  retry: string[],
  /** Contacts taking over others' histories in this fold: contact id → the ids merged in. */
  merging: Map<string, string[]>,
): Promise<Map<string, CairnEvent[]>> {
  const Contacts = contactModel(connection);
  const cache = contactCache(connection);
  const ids = [...byContact.keys()];
  // Contacts this process wrote a moment ago are not read back (contact-cache.ts): their writes below
  // are guarded by the revision and creation instant remembered, which fails if anyone wrote since.
  const remembered = new Map<string, CachedContact>();
  for (const id of ids) {
    const entry = cache.get(contactKey(workspaceId, id));
    if (entry) remembered.set(id, entry);
  }
  const keys = ids.filter((id) => !remembered.has(id)).map((id) => contactKey(workspaceId, id));
  // By `_id`: one `$in` query where the engine serves it from the index, else one lookup each.
  const byIds = async (wanted: string[]) =>
    (await findByIds(connection, Contacts, wanted)).filter(
      (d): d is NonNullable<typeof d> => d !== null,
    );
  const found = new Map<string, ContactDoc>(
    (await traced('readContacts', keys.length, () => byIds(keys))).map((d) => [d.contactId, d]),
  );
  for (const [id, entry] of remembered) found.set(id, entry.doc);
  // A contact seen for the first time is folded in memory and inserted once, whole.
  const fresh = new Set(ids.filter((id) => !found.has(id)));
  for (const contactId of fresh)
    found.set(contactId, {
      ...newContactDoc(workspaceId, contactId),
      createdAt: new Date(now),
      updatedAt: new Date(now),
    });

  // Segments are evaluated on the folded profile and written in the same update: one write per contact.
  const segments = await loadWorkspaceSegments(connection, workspaceId);
  const planned: {
    contactId: string;
    doc: ContactDoc;
    events: CairnEvent[];
    profile: ContactProfile;
    outcome: MembershipOutcome;
  }[] = [];
  const toFold: { contactId: string; doc: ContactDoc; events: CairnEvent[] }[] = [];
  const markersOf = new Map<string, Set<string>>();
  const newlyMergedOf = new Map<string, string[]>();
  for (const [contactId, all] of byContact) {
    const doc = found.get(contactId);
    if (!doc) continue;
    // A merge records the merged contacts in the same write that folds their history: listed there, it is done.
    const merged = new Set(doc.mergedFrom ?? []);
    const newlyMerged = (merging.get(contactId) ?? []).filter((id) => !merged.has(id));
    if (newlyMerged.length) newlyMergedOf.set(contactId, newlyMerged);
    const candidates = all.filter((c) => c.mergedFrom === undefined || !merged.has(c.mergedFrom));
    const { events, markers } = unapplied(doc, candidates);
    markersOf.set(contactId, markers);
    if (events.length) toFold.push({ contactId, doc, events });
  }
  const toLoad = toFold.filter((f) => !remembered.has(f.contactId));
  const loaded = await traced('loadActivity', toLoad.length, () =>
    loadProfiles(
      connection,
      toLoad.map((f) => f.doc),
    ),
  );
  const profileOf = new Map(toLoad.map((f, i) => [f.contactId, loaded[i] as ContactProfile]));
  for (const [id, entry] of remembered) profileOf.set(id, entry.profile);
  for (const { contactId, doc, events } of toFold) {
    const profile = foldEvents(profileOf.get(contactId) as ContactProfile, events, settings);
    const outcome = evaluateMemberships({
      contactId,
      profile,
      current: doc.segments ?? {},
      segments: segments.ordered,
      now,
      profileSettings: segments.profileSettings,
      timeZone: segments.timeZone,
      // The contact's write below stores revision rev + 1, guarded by the one read.
      rev: doc.rev + 1,
    });
    planned.push({ contactId, doc, events, profile, outcome });
  }
  const result = new Map<string, CairnEvent[]>();
  if (planned.length === 0) return result;

  // Everything the contact's write names or implies is filed before it (a crash in between leaves entries
  // a re-fold writes again with the same ids). These writes touch different collections and none reads
  // another's, so they go to the engine together: a page waits for the slowest, not for their sum.
  const interest = await journeyInterestOf(connection, workspaceId);
  const [directory, pending] = await Promise.all([
    // Search entries for contacts whose searchable traits changed.
    traced('directory', planned.length, () =>
      fileInDirectory(
        connection,
        workspaceId,
        planned.map((p) => ({
          contactId: p.contactId,
          ...(fresh.has(p.contactId) ? {} : { before: p.doc }),
          traits: p.profile.traits,
        })),
      ),
    ),
    traced('pendingMarkers', planned.length, () =>
      stillPendingMarkers(
        connection,
        planned.map((p) => p.doc),
      ),
    ),
    // Triggers before state (see foldIntoContact).
    interest.any
      ? traced('triggers', planned.length, () =>
          enqueueJourneyTriggers(
            connection,
            planned.flatMap((p) => [
              ...triggersFor(workspaceId, p.contactId, p.events, interest.events),
              // A contact seen for the first time has no journey run to tell.
              ...(fresh.has(p.contactId)
                ? []
                : [profileChangedTrigger(workspaceId, p.contactId, p.doc.rev + 1, now)]),
            ]),
          ),
        )
      : undefined,
    // Membership history and segment triggers, member pages and due buckets (as reevaluateContact files them).
    traced('membershipHistory', planned.length, () =>
      recordMembershipChangesMany(
        connection,
        planned.map((p) => ({
          workspaceId,
          contactId: p.contactId,
          now,
          reason: 'event',
          entered: p.outcome.entered,
          exited: p.outcome.exited,
        })),
      ),
    ),
    traced('memberPages', planned.length, () =>
      fileNewMembers(
        connection,
        workspaceId,
        planned
          .filter((p) => p.outcome.entered.length > 0)
          .map((p) => ({
            contactId: p.contactId,
            segments: p.outcome.segments,
            entered: p.outcome.entered,
          })),
      ),
    ),
    traced('dueBuckets', planned.length, () =>
      fileContactsForEvaluation(
        connection,
        workspaceId,
        planned.flatMap((p) => {
          const at = p.outcome.nextEvaluationAt;
          return at === null || at === p.doc.nextEvaluationAt
            ? []
            : [{ contactId: p.contactId, at }];
        }),
      ),
    ),
  ]);
  const folded = new Map(
    planned.map((p) => [
      p.contactId,
      foldedFields(p.doc, p.profile, p.events, markersOf.get(p.contactId) ?? [], pending),
    ]),
  );
  const fieldsOf = (p: (typeof planned)[number]) => ({
    ...folded.get(p.contactId)!.set,
    rev: p.doc.rev + 1,
    segments: p.outcome.segments,
    nextEvaluationAt: p.outcome.nextEvaluationAt,
    ...(directory.has(p.contactId)
      ? { searchEntries: directory.get(p.contactId)!.searchEntries }
      : {}),
    ...(newlyMergedOf.has(p.contactId)
      ? {
          mergedFrom: [
            ...(p.doc.mergedFrom ?? []),
            ...(newlyMergedOf.get(p.contactId) as string[]),
          ],
        }
      : {}),
    updatedAt: new Date(now),
  });
  const won = new Set<string>();

  // New contacts: one insert of the folded documents; one another process created meanwhile goes the careful way.
  // Existing ones: one update per contact guarded by the revision it read, as bulk writes that commit once
  // where the engine does that (by-id.ts), else single guarded updates a few in flight. Both at once.
  const created = planned.filter((p) => fresh.has(p.contactId));
  const existing = planned.filter((p) => !fresh.has(p.contactId));
  const [inserted, applied] = await Promise.all([
    traced('insertContacts', created.length, () =>
      insertNew(
        (docs) => Contacts.insertMany(docs, { ordered: false, lean: true }),
        created.map((p) => ({ ...p.doc, ...fieldsOf(p) })),
      ),
    ),
    traced('updateContacts', existing.length, () =>
      updateByIds(
        connection,
        Contacts,
        existing.map((p) => ({
          _id: p.doc._id,
          // A remembered contact is also matched on its creation: one deleted and created again since
          // (by another process) may have climbed back to the same revision.
          guard: remembered.has(p.contactId)
            ? { rev: p.doc.rev, createdAt: p.doc.createdAt }
            : { rev: p.doc.rev },
          update: { $set: fieldsOf(p), $unset: { recentEventIds: '', lastFoldIds: '' } },
        })),
      ),
    ),
  ]);
  created.forEach((p, i) => inserted[i] && won.add(p.contactId));
  existing.forEach((p, i) => applied[i] && won.add(p.contactId));

  const activities: Parameters<typeof writeActivities>[1] = [];
  const entered: MembershipChange[] = [];
  const exited: MembershipChange[] = [];
  const formerMembers: MemberExit[] = [];
  const staleEntries: { contactId: string; stale: string[] }[] = [];
  for (const p of planned) {
    const key = contactKey(workspaceId, p.contactId);
    if (won.has(p.contactId)) {
      const { recentEventIds: _ids, lastFoldIds: _last, ...kept } = p.doc;
      cache.set(key, { doc: { ...kept, ...fieldsOf(p) }, profile: p.profile });
      const stale = directory.get(p.contactId)?.stale ?? [];
      if (stale.length) staleEntries.push({ contactId: p.contactId, stale });
      for (const c of p.outcome.exited)
        formerMembers.push({
          contactId: p.contactId,
          segmentId: c.segmentId,
          page: p.doc.segments?.[c.segmentId]?.page,
        });
      const f = folded.get(p.contactId)!;
      activities.push({
        workspaceId,
        contactId: p.contactId,
        foldRev: f.set.foldRev,
        events: f.activityEvents,
        first: fresh.has(p.contactId),
      });
      result.set(p.contactId, p.events);
      evaluatedInline.add(p.contactId);
      entered.push(...p.outcome.entered);
      exited.push(...p.outcome.exited);
    } else {
      // Lost a race with another writer: redo this contact on the careful path (after the locks go).
      cache.forget([key]);
      retry.push(p.contactId);
    }
  }
  // After the contact documents (the commit point): a crash in between leaves activities one fold behind,
  // and entries to pull that readers already skip. Different documents again, so together.
  await Promise.all([
    traced('writeActivity', activities.length, () => writeActivities(connection, activities)),
    traced('memberPages', formerMembers.length, () =>
      removeFormerMembers(connection, workspaceId, formerMembers),
    ),
    traced('directory', staleEntries.length, () =>
      removeFromDirectory(connection, workspaceId, staleEntries),
    ),
    // One counter update per segment for the whole page, not one per contact.
    traced('countChanges', entered.length + exited.length, () =>
      countMembershipChanges(connection, workspaceId, [{ at: now, entered, exited }]),
    ),
  ]);
  return result;
}

/**
 * Folds a whole batch with the batch's contacts locked in this process; contacts that lost a race with
 * another process are then folded one by one on the careful path.
 */
async function foldBatch(
  connection: Connection,
  workspaceId: string,
  byContact: Map<string, FoldCandidate[]>,
  settings: Partial<ProfileSettings>,
  now: number,
  evaluatedInline: Set<string>,
  merging: Map<string, string[]> = new Map(),
): Promise<Map<string, CairnEvent[]>> {
  const retry: string[] = [];
  const keys = [...byContact.keys()].map((id) => contactKey(workspaceId, id));
  const result = await traced('foldPage', keys.length, () =>
    withDocumentLocks(keys, () =>
      foldBatchLocked(
        connection,
        workspaceId,
        byContact,
        settings,
        now,
        evaluatedInline,
        retry,
        merging,
      ),
    ),
  );
  for (const contactId of retry) {
    const applied = await foldIntoContact(
      connection,
      workspaceId,
      contactId,
      byContact.get(contactId) ?? [],
      settings,
      now,
      merging.get(contactId) ?? [],
    );
    if (applied.length) result.set(contactId, applied);
  }
  return result;
}

/**
 * Events stored durably but not folded yet: what storeEvents hands to foldStoredEvents. Several can be
 * combined (combineStored) so a bulk import folds each contact once per window, not once per chunk.
 */
export interface StoredEvents {
  workspaceId: string;
  byContact: Map<string, FoldCandidate[]>;
  /** Contacts to merge: anonymous (or aliased) contact id → identified contact id, in discovery order. */
  merges: Map<string, string>;
  /** Pending-fold markers to clear once folded. */
  markerIds: string[];
  stored: number;
  duplicates: number;
  /** How many events the candidates hold (the size of the window). */
  events: number;
}

/**
 * Step one of ingestion: resolves identities, leaves a pending-fold marker per event, then stores the
 * events (deduplicated by messageId). From here on an event is durable: if the process dies before
 * foldStoredEvents, foldPendingEvents folds it later.
 */
export async function storeEvents(
  connection: Connection,
  workspaceId: string,
  events: CairnEvent[],
  options: IngestOptions = {},
): Promise<StoredEvents> {
  const now = options.now ?? Date.now();
  const resolver = new IdentityResolver(connection, workspaceId);
  const contactIds: string[] = [];
  await traced('identities', events.length, async () => {
    await resolver.prefetch(events);
    for (const event of events) contactIds.push(await resolver.contactOf(event));
    await resolver.flush();
  });

  // One marker for the request, written before its events: from here a crash leaves them to the sweeper.
  const marker = {
    _id: `${workspaceId}:fold:${randomUUID()}`,
    workspaceId,
    messageIds: events.map((e) => e.messageId),
    createdAt: new Date(now),
    foldAfter: new Date(now + (options.foldWithinMs ?? DEFAULT_FOLD_WITHIN_MS)),
  };
  if (events.length)
    await traced('appendMarker', 1, () =>
      pendingFoldModel(connection).insertMany([marker], { lean: true }),
    );
  const eventDocs = events.map((event, i) => ({
    ...encodeDocumentKeys(event),
    _id: eventKey(workspaceId, event.messageId),
    workspaceId,
    contactId: contactIds[i] as string,
    foldBatch: marker._id,
  }));
  const eventIsNew = await traced('appendEvents', eventDocs.length, () =>
    // Lean: the events are normalized and every field typed already; building a mongoose document per event
    // to cast and validate them again was about a fifth of the API's CPU under ingest (decision 036).
    insertNew(
      (docs) => eventModel(connection).insertMany(docs, { ordered: false, lean: true }),
      eventDocs,
    ),
  );

  await traced('eventSchemas', events.length, () =>
    recordEventSchemas(
      connection,
      workspaceId,
      events.filter((_, i) => eventIsNew[i]),
    ),
  );

  const byContact = new Map<string, FoldCandidate[]>();
  events.forEach((event, i) => {
    // A duplicate was stored by an earlier request, whose fold (or the sweeper on its marker) folds it.
    const eligible = eventIsNew[i] ?? false;
    const list = byContact.get(contactIds[i] as string) ?? [];
    list.push({ event, eligible, marker: marker._id });
    byContact.set(contactIds[i] as string, list);
  });
  const stored = eventIsNew.filter(Boolean).length;
  // Nothing new to fold: the marker has done its job already.
  if (events.length && stored === 0)
    await pendingFoldModel(connection).deleteOne({ _id: marker._id });
  return {
    workspaceId,
    byContact,
    merges: resolver.merges,
    markerIds: events.length && stored > 0 ? [marker._id] : [],
    stored,
    duplicates: events.length - stored,
    events: events.length,
  };
}

/** Adds `next` to `into` (same workspace): candidates per contact append, merges keep their order. */
export function combineStored(into: StoredEvents, next: StoredEvents): StoredEvents {
  if (into.workspaceId !== next.workspaceId)
    throw new Error('combineStored: events of two workspaces');
  for (const [contactId, list] of next.byContact)
    into.byContact.set(contactId, [...(into.byContact.get(contactId) ?? []), ...list]);
  for (const [from, to] of next.merges) {
    into.merges.delete(from);
    into.merges.set(from, to);
  }
  into.markerIds.push(...next.markerIds);
  into.stored += next.stored;
  into.duplicates += next.duplicates;
  into.events += next.events;
  return into;
}

interface MergePlan {
  /** Survivor → the history it takes over (tagged with the merged contact) and the ids it records as merged. */
  byInto: Map<string, { candidates: FoldCandidate[]; mergedFrom: string[] }>;
  /** The merged contacts to remove once their survivors are written. */
  merged: { from: ContactDoc; into: string }[];
}

/** Reads the contacts to merge and their histories, all side by side. */
async function planMerges(
  connection: Connection,
  workspaceId: string,
  merges: Map<string, string>,
): Promise<MergePlan> {
  const Contacts = contactModel(connection);
  const pairs = [...merges];
  const docs = await findByIds(
    connection,
    Contacts,
    pairs.map(([from]) => contactKey(workspaceId, from)),
  );
  const plan: MergePlan = { byInto: new Map(), merged: [] };
  await forEachWithLimit(pairs, 8, async ([from, into], i) => {
    const doc = docs[i];
    if (!doc || doc.mergedInto) return;
    const history = await historyOf(connection, workspaceId, doc);
    const entry = plan.byInto.get(into) ?? { candidates: [], mergedFrom: [] };
    entry.candidates.push(...history.map((event) => ({ event, eligible: true, mergedFrom: from })));
    entry.mergedFrom.push(from, ...(doc.mergedFrom ?? []));
    plan.byInto.set(into, entry);
    plan.merged.push({ from: doc, into });
  });
  return plan;
}

/** Removes merged contacts (their survivors list them in `mergedFrom`) and points their identities on. */
async function finishMerges(
  connection: Connection,
  workspaceId: string,
  merged: MergePlan['merged'],
): Promise<void> {
  await forEachWithLimit(merged, WRITES_IN_FLIGHT, async ({ from, into }) => {
    // Identities only ever point at identified contacts, so an anonymous one has none to move.
    if (!from.contactId.startsWith(ANONYMOUS_PREFIX)) {
      await identityModel(connection).updateMany(
        { workspaceId, contactId: from.contactId },
        { $set: { contactId: into } },
      );
    }
    await contactModel(connection).deleteOne({ _id: from._id });
  });
  await deleteActivities(
    connection,
    merged.map((m) => m.from._id),
  );
  await removeFromDirectory(
    connection,
    workspaceId,
    merged.map((m) => ({ contactId: m.from.contactId, stale: m.from.searchEntries ?? [] })),
  );
}

/** How many contacts foldStoredEvents folds in one batch write. */
const FOLD_PAGE = 200;
/** Pages folded at once by one pass where the engine runs writes side by side. */
const PAGES_IN_FLIGHT = 3;
/** With one writer (SQLite), two: one page's reads and CPU overlap the other's writes (decision 036). */
const PAGES_IN_FLIGHT_ONE_WRITER = 2;

/**
 * Step two: folds stored events into their contacts (with segment evaluation in the same write), runs
 * the identity merges found while storing, clears the markers, and lets segment listeners see the
 * contacts that changed.
 */
export async function foldStoredEvents(
  connection: Connection,
  stored: StoredEvents,
  options: IngestOptions & { onProgress?: (folded: number) => void } = {},
): Promise<IngestReport> {
  const now = options.now ?? Date.now();
  const { workspaceId } = stored;
  const settings = await profileSettingsOf(connection, workspaceId);
  const evaluatedInline = new Set<string>();
  const changed = new Set<string>();

  const folds = new Map<string, CairnEvent[]>();
  // Pages hold distinct contacts, so a few run at once: one page's round trips fill the other's waits.
  const foldAll = async (entries: [string, FoldCandidate[]][], merging?: Map<string, string[]>) => {
    const pages: [string, FoldCandidate[]][][] = [];
    for (let i = 0; i < entries.length; i += FOLD_PAGE) pages.push(entries.slice(i, i + FOLD_PAGE));
    await forEachWithLimit(
      pages,
      engineOf(connection)?.capabilities.concurrentWrites === false
        ? PAGES_IN_FLIGHT_ONE_WRITER
        : PAGES_IN_FLIGHT,
      async (entriesOfPage) => {
        const page = await foldBatch(
          connection,
          workspaceId,
          new Map(entriesOfPage),
          settings,
          now,
          evaluatedInline,
          merging,
        );
        for (const [contactId, list] of page) folds.set(contactId, list);
        options.onProgress?.([...page.values()].reduce((n, list) => n + list.length, 0));
      },
    );
  };
  const sources = new Set(stored.merges.keys());
  const chained = [...stored.merges.values()].some((into) => sources.has(into));
  // A contact first seen in the batch that merges it (an SDK's anonymous events and its identify, sent
  // together) never gets a document of its own: its events go straight into the survivor's fold, instead
  // of a contact written, read back and deleted in the same pass.
  const unseen = new Set<string>();
  if (!chained && sources.size > 0) {
    const candidates = [...sources].filter((id) => stored.byContact.has(id));
    const docs = await traced('planMerges', 0, () =>
      findByIds(
        connection,
        contactModel(connection),
        candidates.map((id) => contactKey(workspaceId, id)),
        { _id: 1 },
      ),
    );
    candidates.forEach((id, i) => docs[i] === null && unseen.add(id));
  }
  // Contacts about to be merged away are folded first, so their events move with their history.
  await foldAll([...stored.byContact].filter(([id]) => sources.has(id) && !unseen.has(id)));
  const rest = new Map([...stored.byContact].filter(([id]) => !sources.has(id)));
  if (chained) {
    // A chain (a into b, b into c): one merge at a time, in the order found, then the batch.
    for (const [from, into] of stored.merges) {
      if (await mergeContacts(connection, workspaceId, from, into, settings, now))
        changed.add(into);
    }
    await foldAll([...rest]);
  } else {
    // Each merged contact's history joins its survivor's fold in the batch below: one write per survivor,
    // segments evaluated in it; the merged contacts go once their survivors are written.
    const plan = await traced('planMerges', stored.merges.size, () =>
      planMerges(
        connection,
        workspaceId,
        new Map([...stored.merges].filter(([from]) => !unseen.has(from))),
      ),
    );
    for (const from of unseen) {
      const into = stored.merges.get(from) as string;
      const entry = plan.byInto.get(into) ?? { candidates: [], mergedFrom: [] };
      for (const c of stored.byContact.get(from) ?? [])
        entry.candidates.push({ ...c, mergedFrom: from });
      entry.mergedFrom.push(from);
      plan.byInto.set(into, entry);
    }
    for (const [into, { candidates }] of plan.byInto)
      rest.set(into, [...(rest.get(into) ?? []), ...candidates]);
    await foldAll([...rest], new Map([...plan.byInto].map(([into, m]) => [into, m.mergedFrom])));
    await traced('finishMerges', plan.merged.length, () =>
      finishMerges(connection, workspaceId, plan.merged),
    );
    for (const into of plan.byInto.keys()) changed.add(into);
  }
  // One marker per request, deleted by `_id`.
  await traced('deleteMarkers', stored.markerIds.length, () =>
    deleteByIds(connection, pendingFoldModel(connection), stored.markerIds),
  );
  for (const contactId of folds.keys()) changed.add(contactId);
  const folded = [...folds.values()].reduce((n, list) => n + list.length, 0);

  const toEvaluate = [...changed].filter((id) => !evaluatedInline.has(id));
  await traced('evaluate', toEvaluate.length, () =>
    runPerContact(
      toEvaluate.map((id) => [id, null]),
      4,
      async (contactId) => {
        await evaluateSegments(connection, workspaceId, contactId, now);
      },
    ),
  );
  return { stored: stored.stored, duplicates: stored.duplicates, folded, contacts: [...changed] };
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
  return foldStoredEvents(connection, await storeEvents(connection, workspaceId, events, { now }), {
    now,
  });
}

/**
 * Finishes folds interrupted by a crash: every pending marker past its `foldAfter` names a stored event
 * that may not be in its profile yet. Run at start-up and periodically.
 */
/** The database itself away (a dropped connection, no server to select): retry later, never park. */
function isUnreachable(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name ?? '';
  return /Network|ServerSelection|NotConnected|TopologyClosed|PoolClosed|Timeout/.test(name);
}

export async function foldPendingEvents(
  connection: Connection,
  options: { olderThanMs?: number; now?: number; limit?: number } = {},
): Promise<number> {
  const now = options.now ?? Date.now();
  // Markers written before foldAfter existed fall back to their age.
  const cutoff = new Date(now - (options.olderThanMs ?? DEFAULT_FOLD_WITHIN_MS));
  const markers = (
    await pendingFoldModel(connection)
      .find({
        $or: [
          { foldAfter: { $lte: new Date(now) } },
          { foldAfter: { $exists: false }, createdAt: { $lte: cutoff } },
        ],
      })
      .limit(options.limit ?? 100)
      .lean()
  ).filter((m) => !m.parked);
  if (markers.length === 0) return 0;
  const Events = eventModel(connection);
  const byWorkspaceContact = new Map<
    string,
    { workspaceId: string; contactId: string; candidates: FoldCandidate[] }
  >();
  for (const marker of markers) {
    // A one-event marker from before batches is keyed by its event; a batch lists its events.
    const ids = marker.messageIds
      ? marker.messageIds.map((id) => eventKey(marker.workspaceId, id))
      : [marker._id];
    const docs = await findByIds(connection, Events, ids);
    for (const doc of docs) {
      // Folded on behalf of the request that inserted it; a duplicate this request only listed is not its to fold.
      if (!doc || (marker.messageIds && doc.foldBatch !== marker._id)) continue;
      const key = `${doc.workspaceId}\u0000${doc.contactId}`;
      const entry = byWorkspaceContact.get(key) ?? {
        workspaceId: doc.workspaceId,
        contactId: doc.contactId,
        candidates: [],
      };
      entry.candidates.push({ event: eventFromDoc(doc), eligible: true, marker: marker._id });
      byWorkspaceContact.set(key, entry);
    }
  }
  let folded = 0;
  const failed = new Map<string, { contactIds: string[]; reason: string }>();
  const byWorkspace = new Map<string, [string, FoldCandidate[]][]>();
  for (const { workspaceId, contactId, candidates } of byWorkspaceContact.values())
    byWorkspace.set(workspaceId, [
      ...(byWorkspace.get(workspaceId) ?? []),
      [contactId, candidates],
    ]);
  for (const [workspaceId, entries] of byWorkspace) {
    const settings = await profileSettingsOf(connection, workspaceId);
    for (let i = 0; i < entries.length; i += FOLD_PAGE) {
      const page = entries.slice(i, i + FOLD_PAGE);
      // The whole page in one batch, as the live path folds it; if that fails, contact by contact, so the
      // one that cannot be folded is found and parked and the others go on.
      try {
        const evaluatedInline = new Set<string>();
        const applied = await foldBatch(
          connection,
          workspaceId,
          new Map(page),
          settings,
          now,
          evaluatedInline,
        );
        for (const [contactId, list] of applied) {
          folded += list.length;
          if (!evaluatedInline.has(contactId))
            await evaluateSegments(connection, workspaceId, contactId, now);
        }
        continue;
      } catch (error) {
        if (isTransientStorageError(error) || isUnreachable(error)) throw error;
      }
      for (const [contactId, candidates] of page) {
        try {
          const applied = await foldIntoContact(
            connection,
            workspaceId,
            contactId,
            candidates,
            settings,
            now,
          );
          folded += applied.length;
          if (applied.length) await evaluateSegments(connection, workspaceId, contactId, now);
        } catch (error) {
          // The database away is no reason to park anything: the next pass tries again.
          if (isTransientStorageError(error) || isUnreachable(error)) throw error;
          // One contact's events that cannot be folded never hold up the others, and are not retried forever.
          const reason = error instanceof Error ? error.message : String(error);
          for (const marker of new Set(
            candidates.map((c) => c.marker).filter((m): m is string => m !== undefined),
          )) {
            const entry = failed.get(marker) ?? { contactIds: [], reason };
            entry.contactIds.push(contactId);
            failed.set(marker, entry);
          }
        }
      }
    }
  }
  for (const marker of markers) {
    const failure = failed.get(marker._id);
    if (failure) {
      // Kept (so contacts already folded from it keep skipping it) but parked: see parkedFolds / retryParkedFolds.
      await pendingFoldModel(connection).updateOne(
        { _id: marker._id },
        {
          $set: {
            parked: {
              at: new Date(now),
              reason: failure.reason.slice(0, 500),
              contactIds: failure.contactIds,
            },
          },
        },
      );
    } else {
      // Events a marker lists but the log lacks: the crash came before they were stored and the client got no 200.
      await pendingFoldModel(connection).deleteOne({ _id: marker._id });
    }
  }
  return folded;
}
