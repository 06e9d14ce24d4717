import { Schema, type Connection, type Model } from 'mongoose';
import type { CairnEvent } from '@cairn/core';

export interface EventDoc extends CairnEvent {
  /** `${workspaceId}:${messageId}`: a repeated messageId is a duplicate key, so it is stored once. */
  _id: string;
  workspaceId: string;
  /** The contact the event was folded into (after identity resolution). */
  contactId: string;
  /** The pending-fold marker of the request that stored it: only that request's fold (or the sweeper on its behalf) folds it. */
  foldBatch?: string;
}

export const eventSchema = new Schema<EventDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    contactId: { type: String, required: true },
    messageId: { type: String, required: true },
    type: { type: String, required: true },
    userId: String,
    anonymousId: String,
    event: { type: String, required: true },
    properties: { type: Schema.Types.Mixed, default: {} },
    traits: { type: Schema.Types.Mixed, default: {} },
    context: { type: Schema.Types.Mixed, default: {} },
    timestamp: { type: Number, required: true },
    receivedAt: { type: Number, required: true },
    groupId: String,
    previousId: String,
    startsJourneys: Boolean,
    foldBatch: String,
  },
  { versionKey: false, minimize: false },
);
eventSchema.index({ workspaceId: 1, contactId: 1, timestamp: -1 });

export function eventKey(workspaceId: string, messageId: string): string {
  return `${workspaceId}:${messageId}`;
}

export function eventModel(connection: Connection): Model<EventDoc> {
  return (
    (connection.models.Event as Model<EventDoc> | undefined) ??
    connection.model<EventDoc>('Event', eventSchema, 'events')
  );
}

/**
 * A marker written before a request's events and removed once they are folded: after a crash, the (small)
 * set of markers says exactly which stored events still need folding, without scanning all events. One per
 * request, listing its events; an event is folded on behalf of the marker whose `_id` it carries in
 * `foldBatch` (the request that inserted it), so a duplicate listed by a later request is never folded twice.
 * Markers written before batches existed have one event each (their `_id` is the event's) and no list.
 */
export interface PendingFoldDoc {
  _id: string;
  workspaceId: string;
  /**
   * The messageIds the request sent, as JSON of a list: one string for the engine to decode on every read of
   * the marker (the lag, the sweeper), not a hundred. Markers written before it hold them in `messageIds`.
   */
  ids?: string;
  /** How many events `ids` lists (the fold lag counts these without parsing the list). */
  count?: number;
  /** The messageIds as a list, on markers written before `ids` (absent on a one-event marker written before batches). */
  messageIds?: string[];
  contactId?: string;
  createdAt: Date;
  /**
   * From when the pending-fold sweeper may fold it: the ingest that wrote the marker expects to have
   * folded the event by then (30 s for live ingestion, longer for an import that folds per window).
   */
  foldAfter?: Date;
  /**
   * Set when folding some contact's events failed for a reason other than an unreachable database: the sweeper
   * leaves the marker alone (the other contacts it lists are folded) until an operator retries it after a fix.
   */
  parked?: { at: Date; reason: string; contactIds: string[] };
}

export const pendingFoldSchema = new Schema<PendingFoldDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    ids: { type: String },
    count: { type: Number },
    messageIds: { type: [String], default: undefined },
    contactId: { type: String },
    createdAt: { type: Date, default: () => new Date() },
    foldAfter: { type: Date },
    parked: { type: Object },
  },
  { versionKey: false },
);

// The sweeper's query (MongoDB uses it; FerretDB v1 reads the small collection whole).
pendingFoldSchema.index({ foldAfter: 1 });

export function pendingFoldModel(connection: Connection): Model<PendingFoldDoc> {
  return (
    (connection.models.PendingFold as Model<PendingFoldDoc> | undefined) ??
    connection.model<PendingFoldDoc>('PendingFold', pendingFoldSchema, 'pending_folds')
  );
}

/** The messageIds a marker lists, whichever form it holds them in; undefined for a one-event marker from before batches. */
export function markerMessageIds(
  marker: Pick<PendingFoldDoc, 'ids' | 'messageIds'>,
): string[] | undefined {
  if (marker.ids !== undefined) return JSON.parse(marker.ids) as string[];
  return marker.messageIds;
}

/** How many events a marker stands for, without parsing its list where it says. */
export function markerEventCount(
  marker: Pick<PendingFoldDoc, 'ids' | 'count' | 'messageIds'>,
): number {
  if (marker.count !== undefined) return marker.count;
  return markerMessageIds(marker)?.length ?? 1;
}
