// What the ingestion stages hand each other: options, reports, fold candidates, stored events.
import type { CairnEvent } from '@cairn/core';
import { decodeDocumentKeys } from '../keys.js';
import type { EventDoc } from '../models/event.js';

/** Single writes kept in flight at once by a fold (the server's pool is shared with every other request). */
export const WRITES_IN_FLIGHT = 8;

/**
 * How many applied messageIds a contact remembers. Exactly-once no longer rests on this window (a duplicate is
 * folded only by the request that inserted it, a marker once per contact through lastFoldMarkers, a merge once
 * through mergedFrom); it serves markers written before those existed and lists a short history by `_id`.
 */
export const RECENT_EVENT_IDS = 50;
export const MAX_WRITE_ATTEMPTS = 20;

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

export interface FoldCandidate {
  event: CairnEvent;
  /** False for a duplicate: the request that inserted the event folds it. */
  eligible: boolean;
  /** The pending-fold marker the event is folded on behalf of. */
  marker?: string;
  /** Set on the history of a contact being merged into this one: the merged contact's id. */
  mergedFrom?: string;
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
