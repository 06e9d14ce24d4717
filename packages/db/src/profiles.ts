import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { forgetContacts } from './contact-cache.js';
import { Schema, type Connection, type Model } from 'mongoose';
import {
  emptyProfile,
  foldEvents,
  joinProfile,
  splitProfile,
  type CairnEvent,
  type ContactActivity,
  type ContactProfile,
  type ProfileSettings,
  type ProfileSummary,
} from '@cairn/core';
import { insertNew, upsertRacing } from './connection.js';
import { decodeDocumentKeys, encodeDocumentKeys } from './keys.js';
import {
  contactKey,
  contactModel,
  lastFoldIdsOf,
  type ContactDoc,
  type StoredProfileSummary,
} from './models/contact.js';
import { eventKey, eventModel, type EventDoc } from './models/event.js';
import { workspaceModel, type WorkspaceDoc } from './models/workspace.js';
import { forEachWithLimit, mapWithLimit } from './segments/limit.js';
import { deleteByIds, findByIds, updateByIds } from './by-id.js';

/**
 * A contact's profile lives in two documents with the same `_id` (see core's splitProfile): the contact
 * document holds the summary, which lists, search and most conditions read; `contact_activity` holds the
 * per-day series and latest occurrences, which are most of the bytes. The contact document is the commit
 * point: a fold writes it first (with `foldRev` + 1 and how many ids it folded, `lastFoldCount`), then the
 * activity stamped with the same `foldRev`. A crash in between leaves the activity one fold behind, and
 * readers repair it by folding those ids again (a property test in core shows that gives the same
 * activity); anything else (no activity yet, or further behind) is rebuilt from the event log.
 *
 * The activity is only ever read and written whole, by `_id`, so it is stored packed: its events as one
 * deflated JSON value (decision 032). FerretDB's cost per document grows with its number of fields (each
 * is decoded and re-encoded with its type on every read and update), and a busy contact's series have
 * hundreds; one binary field costs a fraction of that, and a third of the bytes.
 */
export interface ContactActivityDoc {
  _id: string;
  workspaceId: string;
  contactId: string;
  /** The contact's foldRev this activity belongs to. */
  foldRev: number;
  /** The events, deflated JSON (see packActivity). */
  packed?: Buffer | { buffer: Uint8Array };
  /** Activity written before it was packed: the events as (key-encoded) nested fields. */
  events?: ContactActivity['events'];
}

const contactActivitySchema = new Schema<ContactActivityDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    contactId: { type: String, required: true },
    foldRev: { type: Number, required: true },
    packed: { type: Buffer },
    events: { type: Schema.Types.Mixed },
  },
  { versionKey: false, minimize: false },
);

export function contactActivityModel(connection: Connection): Model<ContactActivityDoc> {
  return (
    (connection.models.ContactActivity as Model<ContactActivityDoc> | undefined) ??
    connection.model<ContactActivityDoc>(
      'ContactActivity',
      contactActivitySchema,
      'contact_activity',
    )
  );
}

const settingsCache = new Map<string, { settings: Partial<ProfileSettings>; until: number }>();
/** How long another process may fold with settings older than an edit (this process forgets them at once). */
export const PROFILE_SETTINGS_CACHE_MS = 30_000;

/** The fold settings a workspace document holds: which event is an order, which affinities to count. */
export function profileSettingsFromWorkspace(
  workspace: Pick<WorkspaceDoc, 'settings'> | null | undefined,
): Partial<ProfileSettings> {
  const settings: Partial<ProfileSettings> = {};
  if (workspace?.settings?.orderEvent) settings.orderEvent = workspace.settings.orderEvent;
  const affinities = workspace?.settings?.affinities;
  if (affinities?.length)
    settings.affinities = affinities.map(({ name, event, property }) => ({
      name,
      event,
      property,
    }));
  return settings;
}

/** The workspace's fold settings (which event is an order, ...), cached for 30 s. */
export async function profileSettingsOf(
  connection: Connection,
  workspaceId: string,
): Promise<Partial<ProfileSettings>> {
  const cached = settingsCache.get(workspaceId);
  if (cached && cached.until > Date.now()) return cached.settings;
  const workspace = await workspaceModel(connection).findById(workspaceId).lean();
  const settings = profileSettingsFromWorkspace(workspace);
  settingsCache.set(workspaceId, { settings, until: Date.now() + PROFILE_SETTINGS_CACHE_MS });
  return settings;
}

/** Called by a settings write in this process, so its next fold uses the new settings. */
export function forgetProfileSettings(workspaceId: string): void {
  settingsCache.delete(workspaceId);
}

/** The part of a contact document a profile is read from. */
/** An activity's events as stored: deflated JSON (keys need no encoding inside a value). */
export function packActivity(events: ContactActivity['events']): Buffer {
  return pack(events);
}

/** The events of an activity document, packed or (written before packing) as nested fields. */
export function unpackActivity(
  doc: Pick<ContactActivityDoc, 'packed' | 'events'>,
): ContactActivity['events'] {
  if (doc.packed) return unpack<ContactActivity['events']>(doc.packed);
  return decodeDocumentKeys(doc.events ?? {});
}

export type ProfileSource = Pick<ContactDoc, '_id' | 'workspaceId' | 'contactId' | 'profile'> &
  Partial<Pick<ContactDoc, 'foldRev' | 'lastFoldIds' | 'mergedFrom'>>;

/** Contacts written before the split hold the whole profile in the contact document and have no foldRev. */
function isWholeProfile(doc: ProfileSource): boolean {
  return doc.foldRev === undefined;
}

function bytesOf(packed: Buffer | { buffer: Uint8Array }): Buffer {
  // Lean reads give the driver's Binary (its bytes in `buffer`); hydrated ones a Buffer.
  return Buffer.isBuffer(packed)
    ? packed
    : Buffer.from(packed.buffer.buffer, packed.buffer.byteOffset, packed.buffer.byteLength);
}

function pack(value: unknown): Buffer {
  return deflateRawSync(JSON.stringify(value), { level: 1 });
}

function unpack<T>(packed: Buffer | { buffer: Uint8Array }): T {
  return JSON.parse(inflateRawSync(bytesOf(packed)).toString('utf8')) as T;
}

/** The summary stored on a contact document, packed or (written before packing) as encoded fields. */
export function decodeStoredProfile(
  stored: ContactDoc['profile'] | undefined,
): ContactProfile | ProfileSummary {
  if (stored && 'packed' in stored && stored.packed) {
    const { traits, lastSeenAt, rfm, packed } = stored as StoredProfileSummary;
    const rest = unpack<Omit<ProfileSummary, 'traits' | 'lastSeenAt' | 'rfm'>>(packed);
    return {
      ...rest,
      traits: decodeDocumentKeys(traits ?? {}),
      ...(lastSeenAt !== undefined ? { lastSeenAt } : {}),
      ...(rfm !== undefined ? { rfm } : {}),
    } as ProfileSummary;
  }
  return decodeDocumentKeys(stored) as ContactProfile | ProfileSummary;
}

/** The summary of a contact's profile: what the contact document alone holds (no per-day series, no occurrences). */
export function readProfileSummary(doc: Pick<ContactDoc, 'profile'>): ContactProfile {
  const stored = decodeStoredProfile(doc.profile);
  return joinProfile(splitProfile(stored as ContactProfile).summary, undefined);
}

/** Stored forms of a profile: the packed summary for the contact document and the activity's events. */
export function storedProfileParts(profile: ContactProfile): {
  summary: StoredProfileSummary;
  activityEvents: ContactActivity['events'];
} {
  const { summary, activity } = splitProfile(profile);
  const { traits, lastSeenAt, rfm, ...rest } = summary;
  return {
    summary: {
      traits: encodeDocumentKeys(traits),
      ...(lastSeenAt !== undefined ? { lastSeenAt } : {}),
      ...(rfm !== undefined ? { rfm } : {}),
      packed: pack(rest),
    },
    activityEvents: activity.events,
  };
}

async function eventsById(
  connection: Connection,
  workspaceId: string,
  messageIds: string[],
): Promise<CairnEvent[]> {
  const Events = eventModel(connection);
  const docs = await findByIds(
    connection,
    Events,
    messageIds.map((id) => eventKey(workspaceId, id)),
  );
  return docs.filter((d): d is EventDoc => d !== null).map((d) => eventOf(d));
}

function eventOf(doc: EventDoc): CairnEvent {
  const {
    _id: _ignored,
    workspaceId: _ws,
    contactId: _contact,
    ...rest
  } = doc as EventDoc & { __v?: unknown };
  return decodeDocumentKeys(rest) as CairnEvent;
}

/** The activity from the whole event log of the contact (and the contacts merged into it): the slow, sure path. */
async function rebuildActivity(
  connection: Connection,
  doc: ProfileSource,
): Promise<ContactActivity> {
  const settings = await profileSettingsOf(connection, doc.workspaceId);
  const docs = await eventModel(connection)
    .find({
      workspaceId: doc.workspaceId,
      contactId: { $in: [doc.contactId, ...(doc.mergedFrom ?? [])] },
    })
    .lean();
  return splitProfile(foldEvents(emptyProfile(doc.contactId), docs.map(eventOf), settings))
    .activity;
}

/**
 * The ids of the fold an activity is one behind. Readers project `lastFoldIds` (older documents) but not
 * the remembered ids that newer ones keep them in, so those are read here, on this rare path, as long as
 * the contact has not folded again since (then the caller rebuilds instead).
 */
async function lastFoldOf(
  connection: Connection,
  doc: ProfileSource,
): Promise<string[] | undefined> {
  if (doc.lastFoldIds) return doc.lastFoldIds;
  const now = await contactModel(connection)
    .findById(doc._id, {
      foldRev: 1,
      recentIds: 1,
      recentEventIds: 1,
      lastFoldIds: 1,
      lastFoldCount: 1,
    })
    .lean();
  return now && now.foldRev === doc.foldRev ? lastFoldIdsOf(now) : undefined;
}

/** The whole profile from a contact document and its activity document (repairing an activity left behind). */
async function joinWithActivity(
  connection: Connection,
  doc: ProfileSource,
  activityDoc: ContactActivityDoc | null,
): Promise<ContactProfile> {
  const stored = decodeStoredProfile(doc.profile) as ContactProfile;
  if (isWholeProfile(doc)) return stored;
  const summary = splitProfile(stored).summary;
  const foldRev = doc.foldRev ?? 0;
  if (foldRev === 0) return joinProfile(summary, undefined);
  const activity = activityDoc ? { events: unpackActivity(activityDoc) } : undefined;
  if (activity && activityDoc?.foldRev === foldRev) return joinProfile(summary, activity);
  const lastFold =
    activity && activityDoc?.foldRev === foldRev - 1
      ? await lastFoldOf(connection, doc)
      : undefined;
  if (activity && lastFold) {
    // One fold behind: fold that fold's events into (summary, old activity) and keep only the activity.
    const settings = await profileSettingsOf(connection, doc.workspaceId);
    const events = await eventsById(connection, doc.workspaceId, lastFold);
    const repaired = splitProfile(
      foldEvents(joinProfile(summary, activity), events, settings),
    ).activity;
    return joinProfile(summary, repaired);
  }
  return joinProfile(summary, await rebuildActivity(connection, doc));
}

/** Whole profiles of several contacts: one `_id` read of each activity document, a bounded number in flight. */
export async function loadProfiles(
  connection: Connection,
  docs: ProfileSource[],
): Promise<ContactProfile[]> {
  const Activity = contactActivityModel(connection);
  // Contacts folded before have an activity document: all of them read by `_id` together.
  const hasActivity = (doc: ProfileSource) => !isWholeProfile(doc) && (doc.foldRev ?? 0) !== 0;
  const activities = await findByIds(
    connection,
    Activity,
    docs.filter(hasActivity).map((doc) => doc._id),
  );
  let next = 0;
  const paired = docs.map((doc) => (hasActivity(doc) ? (activities[next++] ?? null) : null));
  return mapWithLimit(docs, 16, (doc, i) => joinWithActivity(connection, doc, paired[i] ?? null));
}

/** The whole profile of one contact (summary + activity). */
export async function loadProfile(
  connection: Connection,
  doc: ProfileSource,
): Promise<ContactProfile> {
  return (await loadProfiles(connection, [doc]))[0] as ContactProfile;
}

/**
 * Writes the activity of folds that were just committed on the contact documents: one insert for contacts
 * seen for the first time, one `_id` update each for the others (a stale one a slower writer leaves behind
 * is repaired by readers, see joinWithActivity).
 */
export async function writeActivities(
  connection: Connection,
  items: {
    workspaceId: string;
    contactId: string;
    foldRev: number;
    events: ContactActivity['events'];
    first?: boolean;
  }[],
): Promise<void> {
  const Activity = contactActivityModel(connection);
  const docOf = (item: (typeof items)[number]) => ({
    _id: contactKey(item.workspaceId, item.contactId),
    workspaceId: item.workspaceId,
    contactId: item.contactId,
    foldRev: item.foldRev,
    packed: packActivity(item.events),
  });
  const firsts = items.filter((i) => i.first);
  const inserted = await insertNew(
    (docs) => Activity.insertMany(docs, { ordered: false, lean: true }),
    firsts.map(docOf),
  );
  // One that already existed (a contact deleted and seen again, or a race) is updated like the rest.
  const updates = [...firsts.filter((_, i) => !inserted[i]), ...items.filter((i) => !i.first)];
  const applied = await updateByIds(
    connection,
    Activity,
    updates.map((item) => {
      const { _id, ...fields } = docOf(item);
      return { _id, update: { $set: fields, $unset: { events: '' } } };
    }),
  );
  // One that is missing (deleted, or lost to a crash before its first write) is created.
  await forEachWithLimit(
    updates.filter((_, i) => !applied[i]),
    8,
    async (item) => {
      const { _id, ...fields } = docOf(item);
      await upsertRacing(() =>
        Activity.updateOne({ _id }, { $set: fields, $unset: { events: '' } }, { upsert: true }),
      );
    },
  );
}

/** Removes the activity documents of deleted or merged-away contacts. */
export async function deleteActivities(connection: Connection, ids: string[]): Promise<void> {
  forgetContacts(connection, ids);
  await deleteByIds(connection, contactActivityModel(connection), ids);
}
