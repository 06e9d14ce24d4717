import { Schema, type Connection, type Model } from 'mongoose';
import type { CairnEvent } from '@cairn/core';

export interface EventDoc extends CairnEvent {
  /** `${workspaceId}:${messageId}`: a repeated messageId is a duplicate key, so it is stored once. */
  _id: string;
  workspaceId: string;
  /** The contact the event was folded into (after identity resolution). */
  contactId: string;
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
  },
  { versionKey: false, minimize: false },
);
eventSchema.index({ workspaceId: 1, contactId: 1, timestamp: -1 });

export function eventKey(workspaceId: string, messageId: string): string {
  return `${workspaceId}:${messageId}`;
}

export function eventModel(connection: Connection): Model<EventDoc> {
  return (connection.models.Event as Model<EventDoc> | undefined) ?? connection.model<EventDoc>('Event', eventSchema, 'events');
}

/**
 * A marker written before an event and removed once it is folded: after a crash, the (small) set of
 * markers says exactly which stored events still need folding, without scanning all events.
 */
export interface PendingFoldDoc {
  _id: string; // same as the event's _id
  workspaceId: string;
  contactId: string;
  createdAt: Date;
  /**
   * From when the pending-fold sweeper may fold it: the ingest that wrote the marker expects to have
   * folded the event by then (30 s for live ingestion, longer for an import that folds per window).
   */
  foldAfter?: Date;
}

export const pendingFoldSchema = new Schema<PendingFoldDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    contactId: { type: String, required: true },
    createdAt: { type: Date, default: () => new Date() },
    foldAfter: { type: Date },
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
