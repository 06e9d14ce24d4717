import { Schema, type Connection, type Model } from 'mongoose';

export type JourneyRunStatus =
  'active' | 'completed' | 'exited' | 'converted' | 'stopped' | 'failed';

/** One contact's latest run of one journey (one per key for keyed event triggers). */
export interface JourneyRunRecord {
  journeyId: string;
  key?: string;
  version: number;
  workflowId: string;
  /** The workflow's first execution run id, once it has reported progress. */
  runStartedId?: string;
  /**
   * On a re-entry, until the new run reports: the run id of the entry this record replaced. Entries share the
   * workflow id, so a late batch of the earlier run is told apart by this, not by the id.
   */
  supersedes?: string;
  status: JourneyRunStatus;
  /** ISO instants. */
  enteredAt: string;
  exitedAt?: string;
  reason?: string;
  nodeId?: string;
  /** While the run waits with a timer: when it next moves on its own (ISO), unless an event comes first. */
  wakeUpAt?: string;
  /** The latest steps, oldest first (bounded). */
  steps: { nodeId: string; at: string; output?: string }[];
  /** Last progress batch applied: a retried batch is dropped. */
  seq: number;
  /** Digest of the last batch applied; a write is conditional on it as well as on `seq`. */
  digest?: string;
  /**
   * The batches applied since the last one the history has made final, with what they counted: a batch of a
   * newer workflow task at one of these seqs replaces them and takes their counts back (journeys.ts).
   */
  batches?: AppliedProgressBatch[];
  /** The trigger (or request) that enrolled the run: a retry of the same enrolment restarts, not refuses. */
  enrolledBy: string;
}

/** A progress batch as applied: which workflow task wrote it, its content's digest, what it counted. */
export interface AppliedProgressBatch {
  seq: number;
  /** The writing task's history length (with the runs before a continue-as-new) and workflow time. */
  history: number;
  time: number;
  digest: string;
  /** Steps it appended to `steps`. */
  steps: number;
  /** Counter bumps it made: `node` (journey_node_stats) or `journey` (journey_stats, totals and days). */
  counted: { in: 'node' | 'journey'; id: string; field: string; by: number }[];
}

/**
 * `${ws}:${contactId}` → that contact's runs by slot (journey id, or journey id + key), so
 * "this contact's journeys" is one _id lookup.
 */
export interface ContactJourneysDoc {
  _id: string;
  workspaceId: string;
  contactId: string;
  runs: Record<string, JourneyRunRecord>;
}

export const contactJourneysSchema = new Schema<ContactJourneysDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    contactId: { type: String, required: true },
    runs: { type: Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);

export function contactJourneysModel(connection: Connection): Model<ContactJourneysDoc> {
  return (
    (connection.models.ContactJourneys as Model<ContactJourneysDoc> | undefined) ??
    connection.model<ContactJourneysDoc>(
      'ContactJourneys',
      contactJourneysSchema,
      'contact_journeys',
    )
  );
}

/** The outcome of one action step, keyed by its idempotency key: a replayed step returns it instead of acting again. */
export interface JourneyActionRunDoc {
  _id: string;
  workspaceId: string;
  contactId: string;
  journeyId: string;
  nodeId: string;
  action: string;
  output: string;
  result?: unknown;
  /** Events the step writes after its outcome (e.g. Email Sent), so a retry after a crash writes any it missed. */
  events?: { event: string; properties: Record<string, unknown>; messageId: string }[];
  at: Date;
}

export const journeyActionRunSchema = new Schema<JourneyActionRunDoc>(
  {
    _id: { type: String, required: true },
    workspaceId: { type: String, required: true },
    contactId: { type: String, required: true },
    journeyId: { type: String, required: true },
    nodeId: { type: String, required: true },
    action: { type: String, required: true },
    output: { type: String, required: true },
    result: { type: Schema.Types.Mixed },
    events: { type: Schema.Types.Mixed },
    at: { type: Date, required: true },
  },
  { versionKey: false, minimize: false },
);

export function journeyActionRunModel(connection: Connection): Model<JourneyActionRunDoc> {
  return (
    (connection.models.JourneyActionRun as Model<JourneyActionRunDoc> | undefined) ??
    connection.model<JourneyActionRunDoc>(
      'JourneyActionRun',
      journeyActionRunSchema,
      'journey_action_runs',
    )
  );
}
