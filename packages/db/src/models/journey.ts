import { Schema, type Connection, type Model } from 'mongoose';
import type { JourneyDefinition } from '@cairn/core';

export type JourneyStatus = 'draft' | 'published' | 'paused' | 'archived';

/** A journey as the marketer edits it: the draft graph plus which frozen version new entrants get. */
export interface JourneyDoc {
  /** `${workspaceId}:${journeyId}` */
  _id: string;
  workspaceId: string;
  journeyId: string;
  name: string;
  status: JourneyStatus;
  /** Stored with keys encoded (see keys.ts): config may hold trait names with dots. */
  draft: JourneyDefinition;
  publishedVersion?: number;
  /** Optimistic revision: publish and edits are conditional on the revision they read. */
  rev: number;
  createdAt: Date;
  updatedAt: Date;
}

export const journeySchema = new Schema<JourneyDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true, index: true },
    journeyId: { type: String, required: true },
    name: { type: String, required: true },
    status: { type: String, required: true, enum: ['draft', 'published', 'paused', 'archived'] },
    draft: { type: Schema.Types.Mixed, required: true },
    publishedVersion: Number,
    rev: { type: Number, default: 0 },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

export function journeyKey(workspaceId: string, journeyId: string): string {
  return `${workspaceId}:${journeyId}`;
}

export function journeyModel(connection: Connection): Model<JourneyDoc> {
  return (
    (connection.models.Journey as Model<JourneyDoc> | undefined) ??
    connection.model<JourneyDoc>('Journey', journeySchema, 'journeys')
  );
}

/** A published version: immutable, so running contacts and replays always see the graph they entered. */
export interface JourneyVersionDoc {
  /** `${workspaceId}:${journeyId}:v${version}` */
  _id: string;
  workspaceId: string;
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  publishedAt: Date;
  publishedBy?: string;
}

export const journeyVersionSchema = new Schema<JourneyVersionDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    journeyId: { type: String, required: true },
    version: { type: Number, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
    publishedAt: { type: Date, required: true },
    publishedBy: String,
  },
  { versionKey: false, minimize: false },
);

export function journeyVersionKey(workspaceId: string, journeyId: string, version: number): string {
  return `${workspaceId}:${journeyId}:v${version}`;
}

export function journeyVersionModel(connection: Connection): Model<JourneyVersionDoc> {
  return (
    (connection.models.JourneyVersion as Model<JourneyVersionDoc> | undefined) ??
    connection.model<JourneyVersionDoc>('JourneyVersion', journeyVersionSchema, 'journey_versions')
  );
}

/** Per-node counters, `${ws}:${journeyId}:${nodeId}`, moved only with $inc. */
export interface JourneyNodeStatsDoc {
  _id: string;
  entered: number;
  waiting: number;
  /** output name (encoded) → contacts that left by it */
  outputs: Record<string, number>;
  converted: number;
  sent: number;
  capped: number;
  /** Sends that waited for a later window of the channel's send limit (counted once per send). */
  throttled: number;
  opened: number;
  clicked: number;
}

export const journeyNodeStatsSchema = new Schema<JourneyNodeStatsDoc>(
  {
    _id: { type: String, required: true },
    entered: { type: Number, default: 0 },
    waiting: { type: Number, default: 0 },
    outputs: { type: Schema.Types.Mixed, default: {} },
    converted: { type: Number, default: 0 },
    sent: { type: Number, default: 0 },
    capped: { type: Number, default: 0 },
    throttled: { type: Number, default: 0 },
    opened: { type: Number, default: 0 },
    clicked: { type: Number, default: 0 },
  },
  { versionKey: false, minimize: false },
);

export function journeyNodeStatsModel(connection: Connection): Model<JourneyNodeStatsDoc> {
  return (
    (connection.models.JourneyNodeStats as Model<JourneyNodeStatsDoc> | undefined) ??
    connection.model<JourneyNodeStatsDoc>(
      'JourneyNodeStats',
      journeyNodeStatsSchema,
      'journey_node_stats',
    )
  );
}

/**
 * Journey totals (`${ws}:${journeyId}`: entered, active, converted) and one doc per UTC day
 * (`${ws}:${journeyId}:day:YYYY-MM-DD`: enrolled, converted, heldOut, reached, exits: the funnel of
 * that day), all moved with $inc.
 */
export interface JourneyStatsDoc {
  _id: string;
  entered: number;
  active: number;
  converted: number;
  enrolled: number;
  /** Entrants held out (sent nothing), and those of them who met a goal in the holdout window. */
  heldOut: number;
  holdoutConverted: number;
  /** Day docs: node id (encoded, see fieldName) → times a contact reached it that day. */
  reached?: Record<string, number>;
  /** Day docs: why runs ended that day (goal, exit, exitEvent, segmentExit, holdout, stopped, failed) → runs. */
  exits?: Record<string, number>;
}

export const journeyStatsSchema = new Schema<JourneyStatsDoc>(
  {
    _id: { type: String, required: true },
    entered: { type: Number, default: 0 },
    active: { type: Number, default: 0 },
    converted: { type: Number, default: 0 },
    enrolled: { type: Number, default: 0 },
    heldOut: { type: Number, default: 0 },
    holdoutConverted: { type: Number, default: 0 },
    reached: { type: Schema.Types.Mixed },
    exits: { type: Schema.Types.Mixed },
  },
  { versionKey: false },
);

/** The day doc of a journey's counters (UTC day `YYYY-MM-DD`). */
export function journeyDayKey(workspaceId: string, journeyId: string, day: string): string {
  return `${workspaceId}:${journeyId}:day:${day}`;
}

export function journeyStatsModel(connection: Connection): Model<JourneyStatsDoc> {
  return (
    (connection.models.JourneyStats as Model<JourneyStatsDoc> | undefined) ??
    connection.model<JourneyStatsDoc>('JourneyStats', journeyStatsSchema, 'journey_stats')
  );
}
