// The journey workflow's public contract: its name, id, input, signals and query. Plain data and
// types only (no Temporal import), so the API and the worker's dispatcher can share it.
import type { JourneyEvent, JourneyProgress, JourneyRunState } from '@cairn/core';

// The progress batch moved to core, beside the run state it reports; named here too for existing importers.
export type { JourneyProgress, ProgressTask } from '@cairn/core';

export const JOURNEY_WORKFLOW = 'journeyWorkflow';

export const JOURNEY_SIGNALS = {
  contactEvent: 'contactEvent',
  segmentChanged: 'segmentChanged',
  profileChanged: 'profileChanged',
  control: 'control',
} as const;
export const JOURNEY_POSITION_QUERY = 'position';

export type JourneyControl = 'pause' | 'resume' | 'stop';
export type JourneyEntryKind = 'segmentEntered' | 'event' | 'manual' | 'action' | 'date';

export interface JourneyWorkflowInput {
  workspaceId: string;
  journeyId: string;
  /** The frozen version the contact entered; the workflow loads its graph once through an activity. */
  version: number;
  contactId: string;
  /** For event triggers with a `key` (e.g. order_id): one run per key. */
  key?: string;
  entry: {
    kind: JourneyEntryKind;
    event?: JourneyEvent;
    at: string;
    /** A segment entry: the membership change's revision, so an older exit arriving later is ignored. */
    segment?: { segmentId: string; rev: number };
  };
  /** Set only by continue-as-new: where the previous run of this workflow left off. */
  carried?: CarriedRun;
  /** History length past which a run continues as new (default 2,000); tests lower it to exercise the hand-over. */
  maxHistoryEvents?: number;
}

export interface CarriedRun {
  state: JourneyRunState;
  eventsSinceEntry: JourneyEvent[];
  inbox: JourneyInbox[];
  paused: boolean;
  /** Progress batches recorded so far; the recorder drops a batch it has already applied. */
  seq: number;
  /** The newest membership revision seen per segment (entry and signals). */
  segmentRevs?: Record<string, number>;
  /** History events of the runs before this one, so progress batches' task identities keep increasing. */
  historyBefore?: number;
}

/** A segment membership change; `rev` orders the changes of one contact and segment (older ones are stale). */
export interface SegmentChange {
  segmentId: string;
  member: boolean;
  rev?: number;
}

export type JourneyInbox =
  | { type: 'event'; event: JourneyEvent }
  | ({ type: 'segmentChanged' } & SegmentChange)
  | { type: 'profileChanged' };

export interface JourneyPosition {
  nodeId: string;
  status: JourneyRunState['status'];
  paused: boolean;
  waiting?: JourneyRunState['waiting'];
  completion?: JourneyRunState['completion'];
  steps: JourneyRunState['steps'];
}

export type JourneyRunOutcome = {
  status: JourneyRunState['status'] | 'stopped' | 'failed';
  reason?: string;
  nodeId: string;
  steps: number;
};

/** Field names in MongoDB and Temporal ids must not carry '.', ':' ambiguity or '$'; keys come from event properties. */
export function encodeRunKey(key: string): string {
  return encodeURIComponent(key).replace(/\./g, '%2E');
}

/** `journey:${ws}:${journeyId}:${contactId}[:${key}]`: one run per (journey, contact[, key]) at a time. */
export function journeyWorkflowId(
  workspaceId: string,
  journeyId: string,
  contactId: string,
  key?: string,
): string {
  return `journey:${workspaceId}:${journeyId}:${contactId}${key === undefined ? '' : `:${encodeRunKey(key)}`}`;
}

/** The slot of a run in the contact's `contact_journeys` document. */
export function journeyRunSlot(journeyId: string, key?: string): string {
  return key === undefined ? journeyId : `${journeyId}:${encodeRunKey(key)}`;
}

/** Options for `client.workflow.start(JOURNEY_WORKFLOW, …)`; a second start of a running run is a no-op. */
export function journeyStartOptions(
  input: JourneyWorkflowInput,
  taskQueue: string,
  opts: { searchAttributes?: boolean } = {},
) {
  return {
    taskQueue,
    workflowId: journeyWorkflowId(input.workspaceId, input.journeyId, input.contactId, input.key),
    args: [input] as [JourneyWorkflowInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    ...(opts.searchAttributes === false
      ? {}
      : {
          searchAttributes: {
            CairnWorkspaceId: [input.workspaceId],
            CairnJourneyId: [input.journeyId],
            CairnJourneyVersion: [input.version],
            CairnContactId: [input.contactId],
          },
        }),
  };
}

/** Activities the journey workflow calls; the worker implements them in apps/worker/src/journeys. */
export interface JourneyActivities {
  loadJourneyVersion(input: {
    workspaceId: string;
    journeyId: string;
    version: number;
  }): Promise<LoadedJourneyVersion>;
  /** `profile: false` skips the (large) profile when no node reads it, keeping history small. */
  loadContactFacts(input: {
    workspaceId: string;
    contactId: string;
    profile?: boolean;
  }): Promise<ContactFacts>;
  recordJourneyProgress(input: JourneyProgress): Promise<void>;
  runJourneyAction(input: RunJourneyActionInput): Promise<RunJourneyActionResult>;
  journeyStatus(input: { workspaceId: string; journeyId: string }): Promise<{ status: string }>;
}

export interface LoadedJourneyVersion {
  definition: import('@cairn/core').JourneyDefinition;
  /** `type@version` of every action in the graph whose category is `message`. */
  messageActions: string[];
}

export interface ContactFacts {
  exists: boolean;
  profile: Record<string, unknown>;
  memberships: Record<string, boolean>;
  timezone?: string;
  /** The workspace's zone, for quiet hours and times of day when neither the contact nor the journey names one. */
  workspaceTimezone?: string;
}

export interface RunJourneyActionInput {
  workspaceId: string;
  journeyId: string;
  version: number;
  contactId: string;
  nodeId: string;
  action: { type: string; version: number };
  config: Record<string, unknown>;
  stepKey: string;
  idempotencyKey: string;
  runId: string;
  /** The step's progress batch, written by the activity before the action runs (one activity instead of two). */
  progress?: JourneyProgress;
}

export type RunJourneyActionResult =
  { held: false; output: string; result?: unknown } | { held: true; status: string };
