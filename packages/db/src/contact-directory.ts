// Long on purpose: the page format, its writers and its reader must agree, so they sit together.
import { Schema, type Connection, type Model } from 'mongoose';
import { updateByIds, upsertByIds, type UpsertById } from './by-id.js';
import { upsertRacing } from './connection.js';
import { decodeDocumentKeys } from './keys.js';
import { ANONYMOUS_PREFIX, contactKey, contactModel, type ContactDoc } from './models/contact.js';
import { forEachWithLimit, mapWithLimit } from './segments/limit.js';

/**
 * Contact search as pages keyed by `_id` (decision 023): FerretDB serves only `_id` equality from an index,
 * so a search written as a query over contacts decoded every contact (3.3 s at 2,000 contacts with 1M events).
 * Each searchable value of a contact (its id, email, name, first and last name, later words of its name) is
 * normalised into a token and filed as `${token}\t${contactId}` in a page of its bucket (the token's first
 * two characters). A prefix search reads its bucket's pages by `_id`, then each candidate contact by `_id`.
 *
 * Entries are filed before the contact's write and pulled after it, and the contact names the page of each
 * token it has filed (`searchEntries`), so pages hold every contact and at worst a stale entry, which readers
 * drop by checking the contact. Pages come in two series like member pages: `p<n>` filled live, `b<n>`
 * written once by the build that files the contacts a workspace had before its directory.
 */
export interface DirectoryPageDoc {
  _id: string;
  workspaceId: string;
  bucket?: string;
  /** `${token}\t${contactId}`. */
  entries?: string[];
  /** Only on the state document: true once every contact is in some page. */
  complete?: boolean;
  /** Only on the state document: every bucket with pages, for one-character searches. */
  buckets?: string[];
}

const schema = new Schema<DirectoryPageDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    bucket: { type: String },
    entries: { type: [String], default: undefined },
    complete: { type: Boolean },
    buckets: { type: [String], default: undefined },
  },
  { versionKey: false, minimize: false },
);

export function contactDirectoryModel(connection: Connection): Model<DirectoryPageDoc> {
  return (
    (connection.models.ContactDirectoryPage as Model<DirectoryPageDoc> | undefined) ??
    connection.model<DirectoryPageDoc>('ContactDirectoryPage', schema, 'contact_directory')
  );
}

/** Entries per page: FerretDB rewrites a whole document on every update, so a page stays small. */
export const DIRECTORY_PAGE_SIZE = 200;
/** Characters of a token kept in an entry: a page holds short strings whatever a trait holds. */
const TOKEN_CHARS = 64;
/** Characters of a token that name its bucket. */
const BUCKET_CHARS = 2;

type Series = 'p' | 'b';

function chars(text: string, n: number): string {
  return Array.from(text).slice(0, n).join('');
}

/** Lower case, accents and repeated spaces gone: "  José  DA Silva" and "jose da silva" are one token. */
export function normaliseSearchText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * The normalised values a search can start with: the contact id (not for anonymous contacts, whose ids
 * are found by the exact lookup), email, name, first and last name, and the later words of the name.
 */
export function searchValues(contactId: string, traits: Record<string, unknown>): string[] {
  const out = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value !== 'string') return;
    const text = normaliseSearchText(value);
    if (text) out.add(text);
  };
  if (!contactId.startsWith(ANONYMOUS_PREFIX)) add(contactId);
  for (const trait of ['email', 'name', 'firstName', 'lastName']) add(traits[trait]);
  if (typeof traits.name === 'string')
    for (const word of normaliseSearchText(traits.name).split(' ').slice(1)) add(word);
  return [...out].sort();
}

/** The tokens a contact files: its search values cut to the length an entry keeps. */
export function searchTokens(contactId: string, traits: Record<string, unknown>): string[] {
  return [...new Set(searchValues(contactId, traits).map((v) => chars(v, TOKEN_CHARS)))].sort();
}

function bucketOf(token: string): string {
  return chars(token, BUCKET_CHARS);
}

export function directoryPageKey(
  workspaceId: string,
  bucket: string,
  series: Series,
  page: number,
): string {
  return `${workspaceId}:${encodeURIComponent(bucket)}:${series}${page}`;
}

function stateKey(workspaceId: string): string {
  return `${workspaceId}:state`;
}

function entryOf(token: string, contactId: string): string {
  return `${token}\t${contactId}`;
}

function splitEntry(entry: string): { token: string; contactId: string } {
  const at = entry.indexOf('\t');
  return { token: entry.slice(0, at), contactId: entry.slice(at + 1) };
}

/** A contact's bookkeeping entry: the live page that holds one of its tokens. */
function filedAt(page: number, token: string): string {
  return `${page}\t${token}`;
}

function splitFiled(filed: string): { page: number; token: string } {
  const at = filed.indexOf('\t');
  return { page: Number(filed.slice(0, at)), token: filed.slice(at + 1) };
}

/** Per bucket, the live page this process files into and how full it is. */
const pageHints = new Map<string, { page: number; filled: number }>();
/** Buckets this process knows the state document lists. */
const knownBuckets = new Set<string>();

/** Forgets the pages and buckets this process has seen (as a process started afresh knows none). */
export function forgetDirectoryHints(): void {
  pageHints.clear();
  knownBuckets.clear();
}

async function livePageWithRoom(connection: Connection, workspaceId: string, bucket: string) {
  const key = `${workspaceId}\u0000${bucket}`;
  const hint = pageHints.get(key);
  if (hint && hint.filled < DIRECTORY_PAGE_SIZE) return hint;
  const Pages = contactDirectoryModel(connection);
  let page = hint ? hint.page + 1 : 0;
  for (;;) {
    const doc = await Pages.findById(directoryPageKey(workspaceId, bucket, 'p', page), {
      entries: 1,
    }).lean();
    if (!doc || (doc.entries ?? []).length < DIRECTORY_PAGE_SIZE) {
      if (pageHints.size > 10_000) pageHints.clear();
      const found = { page, filled: doc?.entries?.length ?? 0 };
      pageHints.set(key, found);
      return found;
    }
    page++;
  }
}

/** Adds entries to a page, creating it if need be (two processes may create one at once: see upsertByIds). */
function pageWrite(
  workspaceId: string,
  bucket: string,
  series: Series,
  page: number,
  entries: string[],
): UpsertById {
  return {
    _id: directoryPageKey(workspaceId, bucket, series, page),
    update: { $addToSet: { entries: { $each: entries } }, $setOnInsert: { workspaceId, bucket } },
  };
}

async function noteBuckets(
  connection: Connection,
  workspaceId: string,
  buckets: string[],
  /** The build writes them whatever this process remembers: it is the one write that must hold them all. */
  always = false,
): Promise<void> {
  const unknown = buckets.filter((b) => always || !knownBuckets.has(`${workspaceId}\u0000${b}`));
  if (unknown.length === 0) return;
  await upsertRacing(() =>
    contactDirectoryModel(connection).updateOne(
      { _id: stateKey(workspaceId) },
      { $addToSet: { buckets: { $each: unknown } }, $setOnInsert: { workspaceId } },
      { upsert: true },
    ),
  );
  if (knownBuckets.size > 100_000) knownBuckets.clear();
  for (const b of unknown) knownBuckets.add(`${workspaceId}\u0000${b}`);
}

/** One contact whose searchable values may have changed in a write about to happen. */
export interface DirectoryFiling {
  contactId: string;
  /** The contact as read before the write (undefined for a contact not stored yet). */
  before?: Pick<ContactDoc, 'traits' | 'searchEntries'>;
  /** The traits the write stores (decoded). */
  traits: Record<string, unknown>;
}

/** What a filing changes: the bookkeeping to store with the contact, and what to pull once it is stored. */
export interface DirectoryChange {
  searchEntries: string[];
  /** `searchEntries` items that no longer hold: pull them after the contact's write. */
  stale: string[];
}

/**
 * Files the tokens that contacts gain into live pages (one upsert per bucket page touched, a few in flight)
 * and returns, per contact whose tokens changed, the bookkeeping its write must store. Call it before the
 * write; call `removeFromDirectory` with the `stale` entries after it.
 */
export async function fileInDirectory(
  connection: Connection,
  workspaceId: string,
  filings: DirectoryFiling[],
): Promise<Map<string, DirectoryChange>> {
  const changes = new Map<string, DirectoryChange>();
  const toFile: { contactId: string; token: string; change: DirectoryChange }[] = [];
  for (const { contactId, before, traits } of filings) {
    const tokens = searchTokens(contactId, traits);
    const filed = before?.searchEntries;
    if (filed === undefined) {
      // Filed by the build (or about to be) as its old traits read: nothing to do while those still hold.
      const old = before
        ? searchTokens(contactId, decodeDocumentKeys(before.traits ?? {}))
        : undefined;
      if (old && old.join('\n') === tokens.join('\n')) continue;
      const change: DirectoryChange = { searchEntries: [], stale: [] };
      changes.set(contactId, change);
      for (const token of tokens) toFile.push({ contactId, token, change });
      continue;
    }
    const keep = filed.filter((f) => tokens.includes(splitFiled(f).token));
    const have = new Set(keep.map((f) => splitFiled(f).token));
    const gained = tokens.filter((t) => !have.has(t));
    if (gained.length === 0 && keep.length === filed.length) continue;
    const change: DirectoryChange = {
      searchEntries: keep,
      stale: filed.filter((f) => !keep.includes(f)),
    };
    changes.set(contactId, change);
    for (const token of gained) toFile.push({ contactId, token, change });
  }
  if (toFile.length === 0) return changes;

  const byBucket = new Map<string, typeof toFile>();
  for (const item of toFile) {
    const bucket = bucketOf(item.token);
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), item]);
  }
  await noteBuckets(connection, workspaceId, [...byBucket.keys()]);
  // Pages are chosen first (reads only where this process has no hint), then written in one bulk.
  const writes: UpsertById[] = [];
  await forEachWithLimit([...byBucket], 4, async ([bucket, list]) => {
    let rest = list;
    while (rest.length > 0) {
      const hint = await livePageWithRoom(connection, workspaceId, bucket);
      const take = rest.slice(0, Math.max(1, DIRECTORY_PAGE_SIZE - hint.filled));
      rest = rest.slice(take.length);
      writes.push(
        pageWrite(
          workspaceId,
          bucket,
          'p',
          hint.page,
          take.map((i) => entryOf(i.token, i.contactId)),
        ),
      );
      hint.filled += take.length;
      for (const i of take) i.change.searchEntries.push(filedAt(hint.page, i.token));
    }
  });
  await upsertByIds(connection, contactDirectoryModel(connection), writes);
  for (const change of changes.values()) change.searchEntries.sort();
  return changes;
}

/** Pulls the entries contacts no longer hold (after their writes), or of contacts that are gone. */
export async function removeFromDirectory(
  connection: Connection,
  workspaceId: string,
  removals: { contactId: string; stale: string[] }[],
): Promise<void> {
  const byPage = new Map<string, string[]>();
  for (const { contactId, stale } of removals)
    for (const filed of stale) {
      const { page, token } = splitFiled(filed);
      const key = directoryPageKey(workspaceId, bucketOf(token), 'p', page);
      byPage.set(key, [...(byPage.get(key) ?? []), entryOf(token, contactId)]);
    }
  // One bulk; a page that is gone has nothing to pull.
  await updateByIds(
    connection,
    contactDirectoryModel(connection),
    [...byPage].map(([_id, entries]) => ({ _id, update: { $pullAll: { entries } } })),
  );
}

/** Marks a workspace's directory complete: a new workspace has no contacts, so its pages hold them all. */
export async function markDirectoryComplete(
  connection: Connection,
  workspaceId: string,
): Promise<void> {
  await upsertRacing(() =>
    contactDirectoryModel(connection).updateOne(
      { _id: stateKey(workspaceId) },
      { $set: { complete: true }, $setOnInsert: { workspaceId } },
      { upsert: true },
    ),
  );
}

/**
 * Files the contacts a workspace had before its directory (those without `searchEntries`) into the `b`
 * series, then marks the directory complete. Live filing goes on meanwhile into the `p` series, so a contact
 * created or changed during the build is found there. One scan of the workspace's contacts, the last.
 */
export async function buildContactDirectory(
  connection: Connection,
  workspaceId: string,
): Promise<number> {
  const docs = await contactModel(connection)
    .find(
      { workspaceId, mergedInto: { $exists: false } },
      { contactId: 1, traits: 1, searchEntries: 1 },
    )
    .sort({ _id: 1 })
    .lean();
  const byBucket = new Map<string, string[]>();
  let filed = 0;
  for (const doc of docs) {
    if (doc.searchEntries !== undefined) continue;
    filed++;
    for (const token of searchTokens(doc.contactId, decodeDocumentKeys(doc.traits ?? {}))) {
      const bucket = bucketOf(token);
      byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), entryOf(token, doc.contactId)]);
    }
  }
  const writes: { bucket: string; page: number; entries: string[] }[] = [];
  for (const [bucket, entries] of byBucket)
    for (let i = 0; i < entries.length; i += DIRECTORY_PAGE_SIZE)
      writes.push({
        bucket,
        page: i / DIRECTORY_PAGE_SIZE,
        entries: entries.slice(i, i + DIRECTORY_PAGE_SIZE),
      });
  await noteBuckets(connection, workspaceId, [...byBucket.keys()], true);
  await upsertByIds(
    connection,
    contactDirectoryModel(connection),
    writes.map((w) => pageWrite(workspaceId, w.bucket, 'b', w.page, w.entries)),
  );
  await markDirectoryComplete(connection, workspaceId);
  return filed;
}

const builds = new Map<string, Promise<number>>();

/** Starts the build once per workspace in this process; later callers share it. */
export function ensureContactDirectoryBuilt(
  connection: Connection,
  workspaceId: string,
): Promise<number> {
  let running = builds.get(workspaceId);
  if (!running) {
    running = buildContactDirectory(connection, workspaceId).finally(() =>
      builds.delete(workspaceId),
    );
    builds.set(workspaceId, running);
  }
  return running;
}

/** Where a search goes on: the bucket, series and page, and the last entry returned from it. */
interface SearchCursor {
  k: string;
  s: Series;
  p: number;
  a: string;
}

function encodeSearchCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Null when `text` is not a cursor a search handed out. */
export function decodeSearchCursor(text: string): SearchCursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as SearchCursor;
    if (
      typeof value.k === 'string' &&
      (value.s === 'p' || value.s === 'b') &&
      Number.isInteger(value.p) &&
      value.p >= 0 &&
      typeof value.a === 'string'
    )
      return value;
  } catch {
    // not ours
  }
  return null;
}

/** Contacts looked up at once per search: each is an `_id` read, the engine's fast path. */
const LOOKUPS_IN_FLIGHT = 16;

/**
 * Whether a listed entry stands for the contact: the contact is there and not merged away, the entry's
 * token is the first of the contact's current tokens that match (so a contact matching by several is
 * listed once), and the contact names this page for it (a `b` page counts only while it names none).
 */
function entryHolds(
  contact: ContactDoc | null,
  token: string,
  query: string,
  at: { s: Series; p: number },
): contact is ContactDoc {
  if (!contact || contact.mergedInto) return false;
  const matching = searchValues(contact.contactId, decodeDocumentKeys(contact.traits ?? {}))
    .filter((v) => v.startsWith(query))
    .map((v) => chars(v, TOKEN_CHARS))
    .sort();
  if (matching[0] !== token) return false;
  return at.s === 'p'
    ? (contact.searchEntries ?? []).includes(filedAt(at.p, token))
    : contact.searchEntries === undefined;
}

/**
 * Contacts whose id, email, name, first or last name (or a later word of the name) starts with `text`,
 * ignoring case and accents; an exact contact id comes first. Reads pages and contacts by `_id` only.
 * Order: bucket by bucket, page by page (p0, p1, ..., then b0, ...), entries in order within a page.
 */
export async function searchContactDirectory(
  connection: Connection,
  workspaceId: string,
  text: string,
  options: { cursor?: SearchCursor; limit: number },
): Promise<{ contacts: ContactDoc[]; nextCursor: string | null }> {
  const query = normaliseSearchText(text);
  const Pages = contactDirectoryModel(connection);
  const Contacts = contactModel(connection);
  let state = await Pages.findById(stateKey(workspaceId), { complete: 1, buckets: 1 }).lean();
  if (state?.complete !== true) {
    await ensureContactDirectoryBuilt(connection, workspaceId);
    state = await Pages.findById(stateKey(workspaceId), { complete: 1, buckets: 1 }).lean();
  }
  const contacts: ContactDoc[] = [];
  const seen = new Set<string>();
  // The exact id, a lookup whatever the directory holds (anonymous ids are filed nowhere else).
  const exact = await Contacts.findById(contactKey(workspaceId, text)).lean<ContactDoc>();
  if (exact && !exact.mergedInto) {
    seen.add(exact.contactId);
    if (!options.cursor) contacts.push(exact);
  }
  const prefix = chars(query, TOKEN_CHARS);
  if (!prefix) return { contacts, nextCursor: null };
  const buckets =
    Array.from(prefix).length >= BUCKET_CHARS
      ? [bucketOf(prefix)]
      : (state?.buckets ?? []).filter((b) => b.startsWith(prefix)).sort();
  let at: SearchCursor = options.cursor ?? { k: buckets[0] ?? '', s: 'p', p: 0, a: '' };
  let bucketIndex = buckets.indexOf(at.k);
  if (bucketIndex < 0) bucketIndex = buckets.findIndex((b) => b > at.k);
  if (bucketIndex < 0) return { contacts, nextCursor: null };
  if (buckets[bucketIndex] !== at.k)
    at = { k: buckets[bucketIndex] as string, s: 'p', p: 0, a: '' };
  // Until an entry is listed, a next page starts where this one did.
  let last: SearchCursor = at;
  for (;;) {
    const doc = await Pages.findById(directoryPageKey(workspaceId, at.k, at.s, at.p), {
      entries: 1,
    }).lean();
    if (!doc) {
      if (at.s === 'p') {
        at = { k: at.k, s: 'b', p: 0, a: '' };
        continue;
      }
      bucketIndex++;
      if (bucketIndex >= buckets.length) return { contacts, nextCursor: null };
      at = { k: buckets[bucketIndex] as string, s: 'p', p: 0, a: '' };
      continue;
    }
    const listed = [...new Set(doc.entries ?? [])]
      .filter((e) => e > at.a && splitEntry(e).token.startsWith(prefix))
      .sort();
    let offset = 0;
    while (offset < listed.length) {
      const batch = listed.slice(offset, offset + (options.limit - contacts.length) + 1);
      offset += batch.length;
      const found = await mapWithLimit(batch, LOOKUPS_IN_FLIGHT, (entry) =>
        Contacts.findById(contactKey(workspaceId, splitEntry(entry).contactId)).lean<ContactDoc>(),
      );
      for (const [i, contact] of found.entries()) {
        const entry = batch[i] as string;
        const { token, contactId } = splitEntry(entry);
        if (seen.has(contactId) || !entryHolds(contact, token, query, at)) continue;
        if (contacts.length >= options.limit)
          return { contacts, nextCursor: encodeSearchCursor(last) };
        seen.add(contactId);
        last = { ...at, a: entry };
        contacts.push(contact);
      }
    }
    at = { k: at.k, s: at.s, p: at.p + 1, a: '' };
  }
}
