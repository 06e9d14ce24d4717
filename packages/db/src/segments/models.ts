import { Schema, type Connection, type Model } from 'mongoose';
import type { SegmentDefinition } from '@cairn/core';

export type SegmentStatus = 'active' | 'archived';
export type SegmentBackfillState = 'pending' | 'running' | 'done' | 'failed';

/** Progress of the re-evaluation of every contact that follows a create or an edit. */
export interface SegmentBackfill {
  state: SegmentBackfillState;
  /** The segment version this backfill evaluates; a newer edit supersedes it. */
  version: number;
  processed: number;
  total: number;
  /** The last contact `_id` done: a restarted backfill resumes after it. */
  resumeAfter?: string | null;
  startedAt?: number | null;
  finishedAt?: number | null;
  error?: string | null;
}

/** A segment as people edit it. The system's figures live in `SegmentStatsDoc`, so they never rewrite an edit. */
export interface SegmentDoc {
  /** `${workspaceId}:${segmentId}` */
  _id: string;
  workspaceId: string;
  segmentId: string;
  name: string;
  description: string;
  definition: SegmentDefinition;
  version: number;
  status: SegmentStatus;
  createdAt: Date;
  updatedAt: Date;
}

const segmentSchema = new Schema<SegmentDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true, index: true },
    segmentId: { type: String, required: true },
    name: { type: String, required: true },
    description: { type: String, default: '' },
    definition: { type: Schema.Types.Mixed, required: true },
    version: { type: Number, required: true },
    status: { type: String, enum: ['active', 'archived'], default: 'active' },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

/**
 * What the system counts about a segment: the live member count and the backfill's progress. Keyed like the
 * segment, in a document of its own, so a management edit and a counter update never share a document.
 */
export interface SegmentStatsDoc {
  /** `${workspaceId}:${segmentId}`, the segment's own `_id` */
  _id: string;
  workspaceId: string;
  segmentId: string;
  memberCount: number;
  backfill: SegmentBackfill;
}

const segmentStatsSchema = new Schema<SegmentStatsDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true, index: true },
    segmentId: { type: String, required: true },
    memberCount: { type: Number, default: 0 },
    backfill: { type: Schema.Types.Mixed, required: true },
  },
  { versionKey: false, minimize: false },
);

export function segmentStatsModel(connection: Connection): Model<SegmentStatsDoc> {
  return (
    (connection.models.SegmentStats as Model<SegmentStatsDoc> | undefined) ??
    connection.model<SegmentStatsDoc>('SegmentStats', segmentStatsSchema, 'segment_stats')
  );
}

/** A segment with its figures, as the repository returns it. */
export type Segment = SegmentDoc & Pick<SegmentStatsDoc, 'memberCount' | 'backfill'>;

export function segmentKey(workspaceId: string, segmentId: string): string {
  return `${workspaceId}:${segmentId}`;
}

export function segmentModel(connection: Connection): Model<SegmentDoc> {
  return (
    (connection.models.Segment as Model<SegmentDoc> | undefined) ??
    connection.model<SegmentDoc>('Segment', segmentSchema, 'segments')
  );
}

/** A frozen definition: every edit adds one, so a membership can always say which rules put a contact in. */
export interface SegmentVersionDoc {
  /** `${workspaceId}:${segmentId}:v${version}` */
  _id: string;
  workspaceId: string;
  segmentId: string;
  version: number;
  name: string;
  definition: SegmentDefinition;
  createdAt: Date;
}

const segmentVersionSchema = new Schema<SegmentVersionDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    segmentId: { type: String, required: true },
    version: { type: Number, required: true },
    name: { type: String, required: true },
    definition: { type: Schema.Types.Mixed, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false, minimize: false },
);

export function segmentVersionKey(workspaceId: string, segmentId: string, version: number): string {
  return `${workspaceId}:${segmentId}:v${version}`;
}

export function segmentVersionModel(connection: Connection): Model<SegmentVersionDoc> {
  return (
    (connection.models.SegmentVersion as Model<SegmentVersionDoc> | undefined) ??
    connection.model<SegmentVersionDoc>('SegmentVersion', segmentVersionSchema, 'segment_versions')
  );
}

export type MembershipChangeKind = 'entered' | 'exited';

/** One entry or exit; the deterministic `_id` makes a retried evaluation write it once. */
export interface SegmentMembershipChangeDoc {
  /** `${workspaceId}:${segmentId}:${contactId}:${at}` */
  _id: string;
  workspaceId: string;
  segmentId: string;
  contactId: string;
  kind: MembershipChangeKind;
  version: number;
  /** The contact revision the change was written with (see SegmentMembershipState.rev). */
  rev?: number;
  at: number;
  /** What prompted the evaluation: 'event', 'sweep', 'backfill', ... */
  reason: string;
}

const membershipChangeSchema = new Schema<SegmentMembershipChangeDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    segmentId: { type: String, required: true },
    contactId: { type: String, required: true },
    kind: { type: String, enum: ['entered', 'exited'], required: true },
    version: { type: Number, required: true },
    rev: Number,
    at: { type: Number, required: true },
    reason: { type: String, required: true },
  },
  { versionKey: false },
);
membershipChangeSchema.index({ workspaceId: 1, contactId: 1, at: -1 });

export function membershipChangeKey(
  workspaceId: string,
  segmentId: string,
  contactId: string,
  at: number,
): string {
  return `${workspaceId}:${segmentId}:${contactId}:${at}`;
}

export function segmentMembershipChangeModel(
  connection: Connection,
): Model<SegmentMembershipChangeDoc> {
  return (
    (connection.models.SegmentMembershipChange as Model<SegmentMembershipChangeDoc> | undefined) ??
    connection.model<SegmentMembershipChangeDoc>(
      'SegmentMembershipChange',
      membershipChangeSchema,
      'segment_membership_changes',
    )
  );
}

/** Members at the end of a UTC day (the last count written that day), for the segment's chart. */
export interface SegmentDailyCountDoc {
  /** `${workspaceId}:${segmentId}:${day}` */
  _id: string;
  workspaceId: string;
  segmentId: string;
  day: string;
  members: number;
  entered: number;
  exited: number;
}

const dailyCountSchema = new Schema<SegmentDailyCountDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    segmentId: { type: String, required: true },
    day: { type: String, required: true },
    members: { type: Number, default: 0 },
    entered: { type: Number, default: 0 },
    exited: { type: Number, default: 0 },
  },
  { versionKey: false },
);
dailyCountSchema.index({ workspaceId: 1, segmentId: 1, day: 1 });

export function segmentDailyCountKey(workspaceId: string, segmentId: string, day: string): string {
  return `${workspaceId}:${segmentId}:${day}`;
}

export function segmentDailyCountModel(connection: Connection): Model<SegmentDailyCountDoc> {
  return (
    (connection.models.SegmentDailyCount as Model<SegmentDailyCountDoc> | undefined) ??
    connection.model<SegmentDailyCountDoc>(
      'SegmentDailyCount',
      dailyCountSchema,
      'segment_daily_counts',
    )
  );
}

/**
 * The sweeper's due list: contacts whose segment answers can change with no new event, filed by the day
 * in which that happens (each entry carries its instant). The day is in the `_id`, so the sweeper reads
 * exactly the buckets it needs by `_id` (the one lookup FerretDB pushes down). A stale entry is skipped.
 */
export interface SegmentDueBucketDoc {
  /** `${workspaceId}:${bucketStartMs}`, plus `:${page}` after the first page (see segments/due.ts). */
  _id: string;
  workspaceId: string;
  bucketStart: number;
  /** Entries `${dueAtMs}|${contactId}` (format 2); bare contact ids before that. */
  contactIds: string[];
  format?: number;
}

const dueBucketSchema = new Schema<SegmentDueBucketDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    bucketStart: { type: Number, required: true },
    contactIds: { type: [String], default: [] },
    format: { type: Number },
  },
  { versionKey: false },
);
dueBucketSchema.index({ workspaceId: 1, bucketStart: 1 });

export function segmentDueBucketModel(connection: Connection): Model<SegmentDueBucketDoc> {
  return (
    (connection.models.SegmentDueBucket as Model<SegmentDueBucketDoc> | undefined) ??
    connection.model<SegmentDueBucketDoc>(
      'SegmentDueBucket',
      dueBucketSchema,
      'segment_due_buckets',
    )
  );
}

/** How far each workspace's due list has been swept, so the next sweep knows which bucket ids to read. */
export interface SegmentSweepCursorDoc {
  /** the workspace id */
  _id: string;
  /** Every bucket before this start has been swept. */
  sweptBefore: number;
  /** The due buckets' format this cursor counts in (see segments/due.ts); older cursors have none. */
  format?: number;
  updatedAt: Date;
}

const sweepCursorSchema = new Schema<SegmentSweepCursorDoc>(
  {
    _id: { type: String, required: true },
    sweptBefore: { type: Number, required: true },
    format: { type: Number },
  },
  { timestamps: { createdAt: false, updatedAt: true }, versionKey: false },
);

export function segmentSweepCursorModel(connection: Connection): Model<SegmentSweepCursorDoc> {
  return (
    (connection.models.SegmentSweepCursor as Model<SegmentSweepCursorDoc> | undefined) ??
    connection.model<SegmentSweepCursorDoc>(
      'SegmentSweepCursor',
      sweepCursorSchema,
      'segment_sweep_cursors',
    )
  );
}
