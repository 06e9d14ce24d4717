import { Schema, type Connection, type Model } from 'mongoose';
import { upsertRacing } from '../connection.js';
import { findByIds, updateByIds, upsertByIds, type UpsertById } from '../by-id.js';
import { decodeDocumentKeys } from '../keys.js';
import { contactKey, contactModel, type SegmentMembershipState } from '../models/contact.js';
import type { ContactProfile } from '@cairn/core';
import { forEachWithLimit } from './limit.js';
import type { MembershipChange } from './membership.js';

/**
 * A segment's members as pages of contact ids keyed by `_id` (decision 015): FerretDB serves only `_id`
 * lookups from an index, so a members page read as a query over contacts decoded every contact of the
 * workspace (1.5–2 s at 10,000 contacts). Entries are filed before the contact's state says "member" and
 * pulled after it says otherwise, so the pages hold every member and at worst a stale entry, which readers
 * drop by checking the contact. A member's state names its page, so an entry elsewhere is a stale copy.
 *
 * Pages come in two series: `p<n>`, filled by live membership changes, and `b<n>`, written once by the
 * build that lists the members a segment had before it had pages (their states name no page).
 */
export interface SegmentMemberPageDoc {
  _id: string;
  workspaceId: string;
  segmentId: string;
  contactIds: string[];
  /** Only on the `state` document: true once every member is in some page. */
  complete?: boolean;
}

const schema = new Schema<SegmentMemberPageDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    segmentId: { type: String, required: true },
    contactIds: { type: [String], default: undefined },
    complete: { type: Boolean },
  },
  { versionKey: false, minimize: false },
);

export function segmentMemberPageModel(connection: Connection): Model<SegmentMemberPageDoc> {
  return (
    (connection.models.SegmentMemberPage as Model<SegmentMemberPageDoc> | undefined) ??
    connection.model<SegmentMemberPageDoc>('SegmentMemberPage', schema, 'segment_member_pages')
  );
}

/** Entries per page: FerretDB rewrites a whole document on every update, so a page stays small. */
export const MEMBER_PAGE_SIZE = 200;

type Series = 'p' | 'b';

function pagePrefix(workspaceId: string, segmentId: string): string {
  return `${workspaceId}:${segmentId}`;
}

export function memberPageKey(
  workspaceId: string,
  segmentId: string,
  series: Series,
  page: number,
): string {
  return `${pagePrefix(workspaceId, segmentId)}:${series}${page}`;
}

function stateKey(workspaceId: string, segmentId: string): string {
  return `${pagePrefix(workspaceId, segmentId)}:state`;
}

/** Per segment, the live page this process files into and how full it is. */
const pageHints = new Map<string, { page: number; filled: number }>();

async function livePageWithRoom(connection: Connection, workspaceId: string, segmentId: string) {
  const key = pagePrefix(workspaceId, segmentId);
  const hint = pageHints.get(key);
  if (hint && hint.filled < MEMBER_PAGE_SIZE) return hint;
  const Pages = segmentMemberPageModel(connection);
  let page = hint ? hint.page + 1 : 0;
  for (;;) {
    const doc = await Pages.findById(memberPageKey(workspaceId, segmentId, 'p', page), {
      contactIds: 1,
    }).lean();
    if (!doc || doc.contactIds.length < MEMBER_PAGE_SIZE) {
      if (pageHints.size > 10_000) pageHints.clear();
      const found = { page, filled: doc?.contactIds.length ?? 0 };
      pageHints.set(key, found);
      return found;
    }
    page++;
  }
}

/** Adds members to a page, creating it if need be (two processes may create one at once: see upsertByIds). */
function pageWrite(
  workspaceId: string,
  segmentId: string,
  series: Series,
  page: number,
  contactIds: string[],
): UpsertById {
  return {
    _id: memberPageKey(workspaceId, segmentId, series, page),
    update: {
      $addToSet: { contactIds: { $each: contactIds } },
      $setOnInsert: { workspaceId, segmentId },
    },
  };
}

export interface MemberEntry {
  contactId: string;
  /** The contact's membership states as they will be written; an entered segment's state gets its page. */
  segments: Record<string, SegmentMembershipState>;
  entered: MembershipChange[];
}

/**
 * Files contacts that entered segments into live pages, and notes each page in the contact's new state (so
 * call it before that state is written). One upsert per segment page touched, a few in flight.
 */
export async function fileNewMembers(
  connection: Connection,
  workspaceId: string,
  entries: MemberEntry[],
): Promise<void> {
  const bySegment = new Map<string, MemberEntry[]>();
  for (const entry of entries)
    for (const { segmentId } of entry.entered)
      bySegment.set(segmentId, [...(bySegment.get(segmentId) ?? []), entry]);
  // Pages are chosen first (reads only where this process has no hint), then written in one bulk.
  const writes: UpsertById[] = [];
  await forEachWithLimit([...bySegment], 4, async ([segmentId, list]) => {
    let rest = list;
    while (rest.length > 0) {
      const hint = await livePageWithRoom(connection, workspaceId, segmentId);
      const take = rest.slice(0, Math.max(1, MEMBER_PAGE_SIZE - hint.filled));
      rest = rest.slice(take.length);
      writes.push(
        pageWrite(
          workspaceId,
          segmentId,
          'p',
          hint.page,
          take.map((e) => e.contactId),
        ),
      );
      hint.filled += take.length;
      for (const e of take) {
        const state = e.segments[segmentId];
        if (state) e.segments[segmentId] = { ...state, page: hint.page };
      }
    }
  });
  await upsertByIds(connection, segmentMemberPageModel(connection), writes);
}

export interface MemberExit {
  contactId: string;
  segmentId: string;
  /** The page the contact's state named; without one the entry stays and readers drop it. */
  page?: number;
}

/** Pulls contacts that left segments from the pages their states named (call it after the state is written). */
export async function removeFormerMembers(
  connection: Connection,
  workspaceId: string,
  exits: MemberExit[],
): Promise<void> {
  const byPage = new Map<string, string[]>();
  for (const e of exits) {
    if (e.page === undefined) continue;
    const key = memberPageKey(workspaceId, e.segmentId, 'p', e.page);
    byPage.set(key, [...(byPage.get(key) ?? []), e.contactId]);
  }
  // One bulk; a page that is gone has nothing to pull.
  await updateByIds(
    connection,
    segmentMemberPageModel(connection),
    [...byPage].map(([_id, contactIds]) => ({ _id, update: { $pullAll: { contactIds } } })),
  );
}

/** Marks a segment's pages complete: a new segment has no members yet, so its pages hold them all from now. */
export async function markMemberPagesComplete(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
): Promise<void> {
  await upsertRacing(() =>
    segmentMemberPageModel(connection).updateOne(
      { _id: stateKey(workspaceId, segmentId) },
      { $set: { complete: true }, $setOnInsert: { workspaceId, segmentId } },
      { upsert: true },
    ),
  );
}

export async function memberPagesComplete(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
): Promise<boolean> {
  const doc = await segmentMemberPageModel(connection)
    .findById(stateKey(workspaceId, segmentId), { complete: 1 })
    .lean();
  return doc?.complete === true;
}

/**
 * Lists the members a segment had before it had pages into the `b` series, in `_id` order, then marks its
 * pages complete. Live changes file into the `p` series all the while, so nothing entering meanwhile is missed.
 * Reads the contacts with one scan: the last time this segment's members are found that way.
 */
export async function buildMemberPages(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
): Promise<number> {
  const docs = await contactModel(connection)
    .find(
      {
        workspaceId,
        [`segments.${segmentId}`]: { $exists: true },
        mergedInto: { $exists: false },
      },
      { contactId: 1 },
    )
    .sort({ _id: 1 })
    .lean();
  const ids = docs.map((d) => d.contactId);
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += MEMBER_PAGE_SIZE)
    chunks.push(ids.slice(i, i + MEMBER_PAGE_SIZE));
  await upsertByIds(
    connection,
    segmentMemberPageModel(connection),
    chunks.map((chunk, i) => pageWrite(workspaceId, segmentId, 'b', i, chunk)),
  );
  await markMemberPagesComplete(connection, workspaceId, segmentId);
  return ids.length;
}

const builds = new Map<string, Promise<number>>();

/** Starts the build once per segment in this process; later callers share it. */
export function ensureMemberPagesBuilt(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
): Promise<number> {
  const key = pagePrefix(workspaceId, segmentId);
  let running = builds.get(key);
  if (!running) {
    running = buildMemberPages(connection, workspaceId, segmentId).finally(() =>
      builds.delete(key),
    );
    builds.set(key, running);
  }
  return running;
}

export interface MemberPageItem {
  id: string;
  traits: Record<string, unknown>;
  since: number;
  version: number;
  lastSeenAt?: number;
}

/** Where a listing goes on: the series and page, and the last contact id returned from it. */
interface MemberCursor {
  s: Series;
  p: number;
  a: string;
}

export function encodeMemberCursor(cursor: MemberCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Null when `text` is not a cursor this listing handed out. */
export function decodeMemberCursor(text: string): MemberCursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as MemberCursor;
    if (
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

/**
 * A page of members read from the member pages: the pages by `_id`, then each listed contact by `_id`,
 * keeping those whose state confirms the membership (and names this page, or none). Pages in order
 * p0, p1, ... then b0, b1, ...; within a page, contact ids in order.
 */
export async function readMemberPages(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  options: { cursor?: MemberCursor; limit: number },
): Promise<{ items: MemberPageItem[]; nextCursor?: string }> {
  const Pages = segmentMemberPageModel(connection);
  const Contacts = contactModel(connection);
  const items: MemberPageItem[] = [];
  const seen = new Set<string>();
  let at: MemberCursor = options.cursor ?? { s: 'p', p: 0, a: '' };
  let last: MemberCursor | undefined;
  for (;;) {
    const doc = await Pages.findById(memberPageKey(workspaceId, segmentId, at.s, at.p), {
      contactIds: 1,
    }).lean();
    if (!doc) {
      if (at.s === 'p') {
        at = { s: 'b', p: 0, a: '' };
        continue;
      }
      return { items };
    }
    const listed = [...new Set(doc.contactIds)].sort().filter((id) => id > at.a);
    let offset = 0;
    while (offset < listed.length) {
      const batch = listed.slice(offset, offset + (options.limit - items.length) + 1);
      offset += batch.length;
      const contacts = await findByIds(
        connection,
        Contacts,
        batch.map((id) => contactKey(workspaceId, id)),
        {
          contactId: 1,
          mergedInto: 1,
          [`segments.${segmentId}`]: 1,
          'profile.traits': 1,
          'profile.lastSeenAt': 1,
        },
      );
      for (const [i, contact] of contacts.entries()) {
        const id = batch[i] as string;
        const state = contact?.segments?.[segmentId];
        const here =
          at.s === 'p'
            ? state?.page === undefined || state.page === at.p
            : state?.page === undefined;
        if (!contact || contact.mergedInto || !state || !here || seen.has(id)) continue;
        if (items.length === options.limit && last)
          return { items, nextCursor: encodeMemberCursor(last) };
        const profile = decodeDocumentKeys(
          (contact as { profile?: unknown }).profile ?? {},
        ) as Partial<ContactProfile>;
        seen.add(id);
        last = { ...at, a: id };
        items.push({
          id,
          traits: profile.traits ?? {},
          since: state.since,
          version: state.version,
          ...(profile.lastSeenAt ? { lastSeenAt: profile.lastSeenAt } : {}),
        });
      }
    }
    at = { s: at.s, p: at.p + 1, a: '' };
  }
}

/** Calls `fn` with each page of the segment's current members (building the pages first if they predate it). */
export async function forEachMemberPage(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  pageSize: number,
  fn: (members: MemberPageItem[]) => Promise<void>,
): Promise<void> {
  if (!(await memberPagesComplete(connection, workspaceId, segmentId)))
    await ensureMemberPagesBuilt(connection, workspaceId, segmentId);
  let cursor: MemberCursor | undefined;
  for (;;) {
    const page = await readMemberPages(connection, workspaceId, segmentId, {
      limit: pageSize,
      ...(cursor ? { cursor } : {}),
    });
    if (page.items.length > 0) await fn(page.items);
    if (!page.nextCursor) return;
    cursor = decodeMemberCursor(page.nextCursor) ?? undefined;
    if (!cursor) return;
  }
}
