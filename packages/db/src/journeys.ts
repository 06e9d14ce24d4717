// Long: drafts, versions, runs, counters; split along those once issue 19's start path lands.
// Journeys in the database: drafts, frozen versions, each contact's runs and the counters the
// designer shows. Every hot read is by _id; every write is conditional or an $inc (no transactions).
import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { decideEnrollment, type EnrollmentDecision, type JourneyDefinition } from '@cairn/core';
import { createCoalescer, type Coalescer } from './coalesce.js';
import { findByIds } from './by-id.js';
import {
  isDuplicateKeyError,
  updateIfUnchanged,
  upsertRacing,
  withDocumentLocks,
} from './connection.js';
import { forgetJourneyInterest } from './journey-interest.js';
import { decodeDocumentKeys, encodeDocumentKeys } from './keys.js';
import {
  journeyKey,
  journeyModel,
  journeyDayKey,
  journeyNodeStatsModel,
  journeyStatsModel,
  journeyVersionKey,
  journeyVersionModel,
  type JourneyDoc,
  type JourneyStatsDoc,
  type JourneyStatus,
} from './models/journey.js';
import {
  contactJourneysModel,
  journeyActionRunModel,
  type AppliedProgressBatch,
  type ContactJourneysDoc,
  type JourneyActionRunDoc,
  type JourneyRunRecord,
  type JourneyRunStatus,
} from './models/journey-run.js';

export function newJourneyId(): string {
  return `j_${randomBytes(6).toString('hex')}`;
}

/** MongoDB field names may not hold '.' or start with '$'; slots and output names come from user ids. */
export function fieldName(name: string): string {
  return name.replace(/%/g, '%25').replace(/\./g, '%2E').replace(/^\$/, '%24');
}
export function decodeFieldName(name: string): string {
  return decodeURIComponent(name);
}

const decodeJourney = (doc: JourneyDoc): JourneyDoc => ({
  ...doc,
  draft: decodeDocumentKeys(doc.draft),
});

export async function createJourney(
  connection: Connection,
  workspaceId: string,
  input: { name: string; definition: JourneyDefinition; journeyId?: string },
): Promise<JourneyDoc> {
  const journeyId = input.journeyId ?? newJourneyId();
  const doc = await journeyModel(connection).create({
    _id: journeyKey(workspaceId, journeyId),
    workspaceId,
    journeyId,
    name: input.name,
    status: 'draft',
    draft: encodeDocumentKeys(input.definition),
    rev: 0,
  });
  return decodeJourney(doc.toObject());
}

export async function findJourney(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
): Promise<JourneyDoc | null> {
  const doc = await journeyModel(connection).findById(journeyKey(workspaceId, journeyId)).lean();
  return doc ? decodeJourney(doc) : null;
}

/** Journey names by id (one `_id` list read, names only): for pages that show runs. */
export async function journeyNames(
  connection: Connection,
  workspaceId: string,
  journeyIds: string[],
): Promise<Map<string, string>> {
  const docs = await findByIds(
    connection,
    journeyModel(connection),
    journeyIds.map((id) => journeyKey(workspaceId, id)),
    { name: 1 },
  );
  const names = new Map<string, string>();
  docs.forEach((doc, i) => doc?.name && names.set(journeyIds[i] as string, doc.name));
  return names;
}

export async function listJourneys(
  connection: Connection,
  workspaceId: string,
): Promise<JourneyDoc[]> {
  const docs = await journeyModel(connection).find({ workspaceId }).sort({ updatedAt: -1 }).lean();
  return docs.map(decodeJourney);
}

/** Replaces the draft (and name); archived journeys are read-only. Null when the journey does not exist. */
export async function saveJourneyDraft(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  change: { definition: JourneyDefinition; name?: string },
): Promise<JourneyDoc | 'archived' | null> {
  const current = await findJourney(connection, workspaceId, journeyId);
  if (!current) return null;
  if (current.status === 'archived') return 'archived';
  const updated = await journeyModel(connection)
    .findOneAndUpdate(
      { _id: current._id, status: { $ne: 'archived' } },
      {
        $set: {
          draft: encodeDocumentKeys(change.definition),
          name: change.name ?? change.definition.name ?? current.name,
        },
        $inc: { rev: 1 },
      },
      { returnDocument: 'after' },
    )
    .lean();
  return updated ? decodeJourney(updated) : 'archived';
}

export async function findJourneyVersion(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  version: number,
) {
  const doc = await journeyVersionModel(connection)
    .findById(journeyVersionKey(workspaceId, journeyId, version))
    .lean();
  return doc ? { ...doc, definition: decodeDocumentKeys(doc.definition) } : null;
}

/** Versions 1..published, each found by its _id. */
export async function listJourneyVersions(
  connection: Connection,
  journey: Pick<JourneyDoc, 'workspaceId' | 'journeyId' | 'publishedVersion'>,
) {
  const n = journey.publishedVersion ?? 0;
  if (n === 0) return [];
  const ids = Array.from({ length: n }, (_, i) =>
    journeyVersionKey(journey.workspaceId, journey.journeyId, i + 1),
  );
  const docs = await journeyVersionModel(connection)
    .find({ _id: { $in: ids } }, { version: 1, publishedAt: 1, publishedBy: 1 })
    .lean();
  return docs
    .map((d) => ({
      version: d.version,
      publishedAt: d.publishedAt,
      ...(d.publishedBy ? { publishedBy: d.publishedBy } : {}),
    }))
    .sort((a, b) => a.version - b.version);
}

export type PublishOutcome =
  | { ok: true; version: number }
  | { ok: false; problems: { path: string; nodeId?: string; message: string }[] }
  | { ok: false; archived: true };

/**
 * Freezes the draft as version n+1 after `check` finds nothing wrong. The version _id makes two
 * concurrent publishes of the same n collide; the loser retries on the new n.
 */
export async function publishJourneyDraft(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  options: {
    check(
      definition: JourneyDefinition,
    ): Promise<{ path: string; nodeId?: string; message: string }[]>;
    publishedBy?: string;
    now?: Date;
  },
): Promise<PublishOutcome | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const journey = await findJourney(connection, workspaceId, journeyId);
    if (!journey) return null;
    if (journey.status === 'archived') return { ok: false, archived: true };
    const problems = await options.check(journey.draft);
    if (problems.length > 0) return { ok: false, problems };
    const version = (journey.publishedVersion ?? 0) + 1;
    try {
      await journeyVersionModel(connection).create({
        _id: journeyVersionKey(workspaceId, journeyId, version),
        workspaceId,
        journeyId,
        version,
        definition: encodeDocumentKeys(journey.draft),
        publishedAt: options.now ?? new Date(),
        ...(options.publishedBy ? { publishedBy: options.publishedBy } : {}),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) continue;
      throw error;
    }
    // A paused journey stays paused on publish: the marketer resumes it explicitly.
    const status: JourneyStatus = journey.status === 'paused' ? 'paused' : 'published';
    await journeyModel(connection).updateOne(
      {
        _id: journey._id,
        $or: [{ publishedVersion: { $lt: version } }, { publishedVersion: { $exists: false } }],
      },
      { $set: { publishedVersion: version, status }, $inc: { rev: 1 } },
    );
    // Ingestion in this process hears the new version's events at once (others within the cache's 2 s).
    forgetJourneyInterest(workspaceId);
    return { ok: true, version };
  }
  throw new Error(
    `publish of journey ${journeyId} kept colliding with concurrent publishes; try again`,
  );
}

/** Moves the status if the journey is in one of `from`. Null when it does not exist; 'conflict' when in another status. */
export async function setJourneyStatus(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  to: JourneyStatus,
  from: JourneyStatus[],
): Promise<JourneyDoc | 'conflict' | null> {
  const updated = await journeyModel(connection)
    .findOneAndUpdate(
      { _id: journeyKey(workspaceId, journeyId), status: { $in: from } },
      { $set: { status: to }, $inc: { rev: 1 } },
      { returnDocument: 'after' },
    )
    .lean();
  if (updated) {
    forgetJourneyInterest(workspaceId);
    return decodeJourney(updated);
  }
  return (await journeyModel(connection).exists({ _id: journeyKey(workspaceId, journeyId) }))
    ? 'conflict'
    : null;
}

/** Segment ids a definition refers to (trigger, branch conditions, goals). */
export function referencedSegmentIds(definition: unknown): string[] {
  const ids = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (typeof record.segmentId === 'string') ids.add(record.segmentId);
    Object.values(record).forEach(visit);
  };
  visit(definition);
  return [...ids];
}

/** Which of `segmentIds` exist in the workspace (the segments collection, by _id; none if it does not exist yet). */
export async function existingSegmentIds(
  connection: Connection,
  workspaceId: string,
  segmentIds: string[],
): Promise<Set<string>> {
  if (segmentIds.length === 0 || !connection.db) return new Set();
  const docs = await connection.db
    .collection<{ _id: string; status?: string }>('segments')
    .find(
      { _id: { $in: segmentIds.map((id) => `${workspaceId}:${id}`) } },
      { projection: { _id: 1, status: 1 } },
    )
    .toArray();
  const prefix = `${workspaceId}:`;
  // An archived segment admits nobody any more: a journey keyed on it could never run.
  return new Set(
    docs.filter((d) => d.status !== 'archived').map((d) => d._id.slice(prefix.length)),
  );
}

const versionCache = new Map<string, JourneyDefinition>();

/** A frozen version's graph; versions never change, so each is read once per process. */
export async function loadJourneyDefinition(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  version: number,
): Promise<JourneyDefinition | null> {
  const key = `${connection.id}:${journeyVersionKey(workspaceId, journeyId, version)}`;
  const cached = versionCache.get(key);
  if (cached) return cached;
  const doc = await findJourneyVersion(connection, workspaceId, journeyId, version);
  if (!doc) return null;
  if (versionCache.size > 1000) versionCache.clear();
  versionCache.set(key, doc.definition);
  return doc.definition;
}

/** Published journeys of a workspace with the graph new entrants get. */
export async function publishedJourneys(connection: Connection, workspaceId: string) {
  const journeys = await journeyModel(connection)
    .find({ workspaceId, status: 'published' }, { draft: 0 })
    .lean();
  const out: { journeyId: string; version: number; definition: JourneyDefinition }[] = [];
  for (const j of journeys) {
    if (!j.publishedVersion) continue;
    const definition = await loadJourneyDefinition(
      connection,
      workspaceId,
      j.journeyId,
      j.publishedVersion,
    );
    if (definition) out.push({ journeyId: j.journeyId, version: j.publishedVersion, definition });
  }
  return out;
}

/** The journey's status; undefined when the workspace has no such journey. */
export async function journeyStatusOf(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
): Promise<JourneyStatus | undefined> {
  return (
    await journeyModel(connection)
      .findById(journeyKey(workspaceId, journeyId), { status: 1 })
      .lean()
  )?.status;
}

/** The stored outcome of an action step, by its idempotency key; null when the step never finished. */
export async function findActionRun(
  connection: Connection,
  idempotencyKey: string,
): Promise<JourneyActionRunDoc | null> {
  return journeyActionRunModel(connection).findById(idempotencyKey).lean<JourneyActionRunDoc>();
}

/** Stores an action step's outcome once: when one is already stored (a retried step), that one stays. */
export async function storeActionRun(
  connection: Connection,
  run: JourneyActionRunDoc,
): Promise<void> {
  try {
    await journeyActionRunModel(connection).create(run);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
}

export function contactJourneysKey(workspaceId: string, contactId: string): string {
  return `${workspaceId}:${contactId}`;
}

/** This contact's runs, by slot; one _id lookup. */
export async function findContactJourneys(
  connection: Connection,
  workspaceId: string,
  contactId: string,
): Promise<ContactJourneysDoc | null> {
  const doc = await contactJourneysModel(connection)
    .findById(contactJourneysKey(workspaceId, contactId))
    .lean();
  if (!doc) return null;
  // The applied-batch bookkeeping is the progress writer's, not part of what a run is.
  const runs = Object.fromEntries(
    Object.entries(doc.runs ?? {}).map(
      ([slot, { batches: _b, digest: _d, supersedes: _s, ...run }]) => [slot, run],
    ),
  );
  return { ...doc, runs };
}

const FINISHED: JourneyRunStatus[] = ['completed', 'exited', 'converted', 'stopped', 'failed'];
export const isFinishedRun = (run: Pick<JourneyRunRecord, 'status'>) =>
  FINISHED.includes(run.status);

interface CounterModel {
  updateOne(filter: object, update: object, options?: object): Promise<unknown>;
  collection: { collectionName: string };
}

/**
 * `$inc` with upsert; a concurrent upsert that won the insert makes this one retry as an update. Counters
 * (journey totals, per-day and per-node figures) are bumped by many steps and processes at once: exact
 * because `$inc` is atomic on MongoDB and on the FerretDB that dev-stack builds (decision 010).
 */
async function incUpsert(model: CounterModel, _id: string, inc: Record<string, number>) {
  await upsertRacing(() => model.updateOne({ _id }, { $inc: inc }, { upsert: true }));
}

const counterCoalescers = new WeakMap<CounterModel, Coalescer<Record<string, number>>>();

/**
 * `incUpsert` for counters that a burst bumps at once (every enrolment bumps its journey's totals, every
 * run waking from one delay its node's): concurrent bumps of one document merge into one write per round.
 */
function bumpCounters(model: CounterModel, _id: string, inc: Record<string, number>) {
  let coalescer = counterCoalescers.get(model);
  if (!coalescer) {
    coalescer = createCoalescer<Record<string, number>>(
      (into, next) => {
        for (const [field, by] of Object.entries(next)) into[field] = (into[field] ?? 0) + by;
      },
      (key, delta) => incUpsert(model, key, delta),
    );
    counterCoalescers.set(model, coalescer);
  }
  return coalescer.apply(_id, { ...inc });
}

const utcDay = (at: Date) => at.toISOString().slice(0, 10);
const statsKey = (workspaceId: string, journeyId: string) => `${workspaceId}:${journeyId}`;
const dayKey = journeyDayKey;

/** The funnel's name for how a run ended: the interpreter's completion reason, or stopped / failed. */
export function exitReasonOf(status: string, reason: string): string {
  return status === 'stopped' || status === 'failed' ? status : reason;
}

export type EnrollmentReservation =
  | {
      enroll: true;
      version: number;
      definition: JourneyDefinition;
      repeated: boolean;
      /** The entrant's counter bumps, still in flight: await it (beside the start) before reporting success. */
      counted?: Promise<void>;
    }
  | {
      enroll: false;
      reason:
        | Extract<EnrollmentDecision, { enroll: false }>['reason']
        | 'notPublished'
        | 'notFound'
        | 'raced';
    };

/** A reservation's input: the run to record and, optionally, what the caller has just read. */
export interface EnrollmentReservationInput {
  workspaceId: string;
  journeyId: string;
  contactId: string;
  key?: string;
  slot: string;
  workflowId: string;
  enrolledBy: string;
  now: Date;
  /** The contact's runs as the caller just read them (null: none); saves reading them again. */
  contactJourneys?: ContactJourneysDoc | null;
  /**
   * The journey's status and published version as the caller just read them (the dispatcher's list of
   * published journeys, the API's journey lookup); saves reading the journey again for every start.
   */
  journey?: Pick<JourneyDoc, 'status' | 'publishedVersion'>;
  /** True: the counter bumps are left in flight as `counted`, for the caller to await beside its start. */
  countBesideStart?: boolean;
}

/**
 * Decides and records one enrolment: re-entry rule, enrolment limit, then the run record, written
 * conditionally so two dispatchers never both enrol the contact. The same `enrolledBy` again (a retried
 * trigger whose workflow start failed) answers `repeated: true` so the caller starts the workflow again.
 * Per start: the conditional run-record write and coalesced counter bumps; reads only what the caller did
 * not pass (the journey, the contact's runs) and the totals only when an enrolment limit needs them.
 */
export async function reserveEnrollment(
  connection: Connection,
  input: EnrollmentReservationInput,
): Promise<EnrollmentReservation> {
  const { workspaceId, journeyId, now } = input;
  const journey =
    input.journey ??
    (await journeyModel(connection)
      .findById(journeyKey(workspaceId, journeyId), { status: 1, publishedVersion: 1 })
      .lean());
  if (!journey) return { enroll: false, reason: 'notFound' };
  if (journey.status !== 'published' || !journey.publishedVersion)
    return { enroll: false, reason: 'notPublished' };
  const publishedVersion = journey.publishedVersion;
  const definition = await loadJourneyDefinition(
    connection,
    workspaceId,
    journeyId,
    publishedVersion,
  );
  if (!definition) return { enroll: false, reason: 'notPublished' };

  const cjId = contactJourneysKey(workspaceId, input.contactId);
  const slotField = `runs.${fieldName(input.slot)}`;
  // A stale copy is safe: the run record below is written only if the slot is as it was read.
  const existing =
    input.contactJourneys !== undefined
      ? input.contactJourneys
      : await contactJourneysModel(connection)
          .findById(cjId, { [slotField]: 1 })
          .lean();
  const previous = existing?.runs?.[fieldName(input.slot)];
  if (previous && previous.enrolledBy === input.enrolledBy) {
    // Already started and finished for this cause: starting again would be a second run.
    if (isFinishedRun(previous)) return { enroll: false, reason: 'alreadyInJourney' };
    const def = await loadJourneyDefinition(connection, workspaceId, journeyId, previous.version);
    return def
      ? { enroll: true, version: previous.version, definition: def, repeated: true }
      : { enroll: false, reason: 'notPublished' };
  }
  // Only a limit needs the count; the conditional $inc below is what enforces it.
  const limit = definition.settings.enrollmentLimit;
  const stats = journeyStatsModel(connection);
  const totalsKey = statsKey(workspaceId, journeyId);
  const totals = limit === undefined ? null : await stats.findById(totalsKey).lean();
  const decision = decideEnrollment(definition.settings, {
    now,
    ...(previous
      ? {
          previousRun: {
            finished: isFinishedRun(previous),
            ...(previous.exitedAt ? { finishedAt: previous.exitedAt } : {}),
          },
        }
      : {}),
    enrolledCount: totals?.entered ?? 0,
  });
  if (!decision.enroll) return { enroll: false, reason: decision.reason };

  if (limit !== undefined) {
    await incUpsert(stats, totalsKey, { entered: 0 });
    // The limit check and the count are one atomic update, so a burst never enrols past it.
    const counted = await stats.updateOne(
      { _id: totalsKey, entered: { $lt: limit } },
      { $inc: { entered: 1, active: 1 } },
    );
    if (counted.modifiedCount === 0) return { enroll: false, reason: 'limitReached' };
  }

  const record: JourneyRunRecord = {
    journeyId,
    ...(input.key !== undefined ? { key: input.key } : {}),
    version: publishedVersion,
    workflowId: input.workflowId,
    status: 'active',
    enteredAt: now.toISOString(),
    steps: [],
    seq: 0,
    enrolledBy: input.enrolledBy,
    ...(previous?.runStartedId !== undefined ? { supersedes: previous.runStartedId } : {}),
  };
  let written = false;
  try {
    const result = await withDocumentLocks([cjId], () =>
      updateIfUnchanged(
        connection,
        contactJourneysModel(connection),
        cjId,
        { [`${slotField}.enteredAt`]: previous ? previous.enteredAt : { $exists: false } },
        {
          $set: { [slotField]: record },
          $setOnInsert: { workspaceId, contactId: input.contactId },
        },
        { upsert: true },
      ),
    );
    written = result.modifiedCount + result.upsertedCount > 0;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  if (!written) {
    if (limit !== undefined) await bumpCounters(stats, totalsKey, { entered: -1, active: -1 });
    return { enroll: false, reason: 'raced' };
  }
  // Without a limit the totals are counted after the record (a crash between under-counts, never
  // double-counts, as progress does), so a lost race costs no counter write to undo; the caller awaits
  // `counted` beside the workflow start rather than before it.
  const counted = Promise.all([
    limit === undefined ? bumpCounters(stats, totalsKey, { entered: 1, active: 1 }) : undefined,
    bumpCounters(stats, dayKey(workspaceId, journeyId, utcDay(now)), { enrolled: 1 }),
  ]).then(() => undefined);
  if (!input.countBesideStart) await counted;
  // Observed here so that a caller failing before it awaits `counted` leaves no unhandled rejection.
  else counted.catch(() => undefined);
  return { enroll: true, version: publishedVersion, definition, repeated: false, counted };
}

/** Undoes a reservation whose workflow could not be started and will not be retried (e.g. the trigger is dropped). */
export async function releaseEnrollment(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  contactId: string,
  slot: string,
  enrolledBy: string,
) {
  const slotField = `runs.${fieldName(slot)}`;
  const cjId = contactJourneysKey(workspaceId, contactId);
  const result = await withDocumentLocks([cjId], () =>
    updateIfUnchanged(
      connection,
      contactJourneysModel(connection),
      cjId,
      { [`${slotField}.enrolledBy`]: enrolledBy, [`${slotField}.status`]: 'active' },
      {
        $set: {
          [`${slotField}.status`]: 'stopped',
          [`${slotField}.reason`]: 'notStarted',
          [`${slotField}.exitedAt`]: new Date().toISOString(),
        },
      },
    ),
  );
  if (result.modifiedCount > 0) {
    const stats = journeyStatsModel(connection);
    await incUpsert(stats, statsKey(workspaceId, journeyId), { active: -1 });
    await incUpsert(stats, dayKey(workspaceId, journeyId, utcDay(new Date())), {
      'exits.stopped': 1,
    });
  }
}

/** What the journey workflow reports after each step (see JourneyProgress in @cairn/workflows). */
export interface JourneyProgressInput {
  workspaceId: string;
  journeyId: string;
  version: number;
  contactId: string;
  key?: string;
  slot: string;
  workflowId: string;
  runStartedId: string;
  seq: number;
  at: string;
  nodeId: string;
  status: string;
  steps: { nodeId: string; at: string; output?: string }[];
  entered: Record<string, number>;
  outputs: { nodeId: string; output: string }[];
  converted: string[];
  waitingAt?: string;
  wakeUpAt?: string;
  leftWaitingAt?: string;
  sent?: string[];
  capped?: string[];
  heldOut?: boolean;
  holdoutConverted?: boolean;
  completion?: { reason: string; at: string };
  /**
   * The workflow task that wrote the batch (absent from workflow code before it): its history length
   * (counting the runs before a continue-as-new), its workflow time (ms), and the last seq the history
   * held when it began, which no later task can rewrite.
   */
  task?: { history: number; time: number; settledSeq: number };
}

export const MAX_RUN_STEPS = 50;

const RUN_STATUS: Record<string, JourneyRunStatus> = {
  running: 'active',
  waiting: 'active',
  completed: 'completed',
  exited: 'exited',
  converted: 'converted',
  stopped: 'stopped',
  failed: 'failed',
};

type CounterBump = AppliedProgressBatch['counted'][number];

/** The counter bumps one batch makes: per-node figures, journey totals and the day's funnel. */
function countersOf(p: JourneyProgressInput): CounterBump[] {
  const bumps: CounterBump[] = [];
  const node = (nodeId: string, field: string, by: number) =>
    bumps.push({ in: 'node', id: `${p.workspaceId}:${p.journeyId}:${nodeId}`, field, by });
  for (const [nodeId, count] of Object.entries(p.entered)) node(nodeId, 'entered', count);
  for (const o of p.outputs) node(o.nodeId, `outputs.${fieldName(o.output)}`, 1);
  for (const nodeId of p.converted) node(nodeId, 'converted', 1);
  for (const nodeId of p.sent ?? []) node(nodeId, 'sent', 1);
  for (const nodeId of p.capped ?? []) node(nodeId, 'capped', 1);
  if (p.waitingAt) node(p.waitingAt, 'waiting', 1);
  if (p.leftWaitingAt) node(p.leftWaitingAt, 'waiting', -1);
  const totals = (field: string, by: number) =>
    bumps.push({ in: 'journey', id: statsKey(p.workspaceId, p.journeyId), field, by });
  if (p.converted.length > 0) totals('converted', p.converted.length);
  if (p.completion) totals('active', -1);
  if (p.heldOut) totals('heldOut', 1);
  if (p.holdoutConverted) totals('holdoutConverted', 1);
  // The day's funnel: on the journey's day doc of the batch, beside the totals above.
  const dayId = dayKey(p.workspaceId, p.journeyId, p.at.slice(0, 10));
  const day = (field: string, by: number) => bumps.push({ in: 'journey', id: dayId, field, by });
  for (const [nodeId, count] of Object.entries(p.entered))
    day(`reached.${fieldName(nodeId)}`, count);
  if (p.converted.length > 0) day('converted', p.converted.length);
  if (p.heldOut) day('heldOut', 1);
  if (p.completion) day(`exits.${fieldName(exitReasonOf(p.status, p.completion.reason))}`, 1);
  return bumps;
}

/** JSON with keys sorted, so one batch digests the same however its object was built. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** What the batch says, not which task wrote it: an identical retry digests the same. */
function digestOf(p: JourneyProgressInput): string {
  const { task: _task, ...content } = p;
  return createHash('sha256').update(canonical(content)).digest('base64url').slice(0, 22);
}

type Placement = { apply: false } | { apply: true; replaces: AppliedProgressBatch[] };

const laterTask = (a: { history: number; time: number }, b: { history: number; time: number }) =>
  a.history > b.history || (a.history === b.history && a.time > b.time);

/**
 * Whether a batch changes the run record, and which applied batches it replaces. A workflow task that
 * times out still runs its local activities, so a seq can arrive twice with different content: the
 * history keeps the later task's batch, so that one wins whichever lands first (decision 031).
 */
function placeBatch(
  run: JourneyRunRecord | undefined,
  p: JourneyProgressInput,
  digest: string,
): Placement {
  if (!run) return { apply: true, replaces: [] };
  // A batch from an earlier entry of this slot changes nothing, also before the new entry has reported.
  if (run.runStartedId !== undefined && run.runStartedId !== p.runStartedId)
    return { apply: false };
  if (run.runStartedId === undefined && run.supersedes === p.runStartedId) return { apply: false };
  const task = p.task;
  // Workflow code before task identities: a seen seq is a retry.
  if (!task) return run.seq >= p.seq ? { apply: false } : { apply: true, replaces: [] };
  const applied = run.batches ?? [];
  const latest = applied.at(-1);
  if (p.seq > run.seq)
    // Further along but from an older task than the last applied: a task the history dropped ran ahead.
    return latest && laterTask(latest, task) ? { apply: false } : { apply: true, replaces: [] };
  const same = applied.find((b) => b.seq === p.seq);
  // An identical retry, a late batch of an abandoned task, or one older than what is kept: nothing to do.
  if (!same || same.digest === digest || !laterTask(task, same)) return { apply: false };
  // A later task rewrote this seq: it and everything after it were written by tasks the history dropped.
  return { apply: true, replaces: applied.filter((b) => b.seq >= p.seq) };
}

/**
 * Applies one progress batch: the run record (conditional on the last applied batch, so two writers
 * never both apply) and then the counters. Returns false when the batch changed nothing: a retry, or a
 * batch of a workflow task the history did not keep. A batch that replaces one of an abandoned task
 * takes that one's counts back, so the counters stay what the kept history counted.
 */
export async function applyJourneyProgress(
  connection: Connection,
  p: JourneyProgressInput,
): Promise<boolean> {
  const cjId = contactJourneysKey(p.workspaceId, p.contactId);
  const slotField = `runs.${fieldName(p.slot)}`;
  const model = contactJourneysModel(connection);
  const status = RUN_STATUS[p.status] ?? 'active';
  const digest = digestOf(p);
  const counted = countersOf(p);
  let replaced: AppliedProgressBatch[] | undefined;
  for (let attempt = 0; attempt < 10 && !replaced; attempt++) {
    const doc = await model.findById(cjId, { [slotField]: 1 }).lean();
    const run = doc?.runs?.[fieldName(p.slot)];
    const placement = placeBatch(run, p, digest);
    if (!placement.apply) return false;
    const undoneSteps = placement.replaces.reduce((n, b) => n + b.steps, 0);
    const kept = run?.steps ?? [];
    const steps = [...kept.slice(0, Math.max(0, kept.length - undoneSteps)), ...p.steps].slice(
      -MAX_RUN_STEPS,
    );
    const next: JourneyRunRecord = {
      journeyId: p.journeyId,
      ...(p.key !== undefined ? { key: p.key } : {}),
      version: p.version,
      workflowId: p.workflowId,
      runStartedId: p.runStartedId,
      status,
      enteredAt: run?.enteredAt ?? p.at,
      ...(p.completion ? { exitedAt: p.completion.at, reason: p.completion.reason } : {}),
      nodeId: p.nodeId,
      ...(status === 'active' && p.wakeUpAt ? { wakeUpAt: p.wakeUpAt } : {}),
      steps,
      seq: p.seq,
      ...(p.task
        ? {
            digest,
            // Batches up to the task's settled seq are final: only the later ones can still be replaced.
            batches: [
              ...(run?.batches ?? []).filter(
                (b) => b.seq < p.seq && b.seq > (p.task?.settledSeq ?? 0),
              ),
              {
                seq: p.seq,
                history: p.task.history,
                time: p.task.time,
                digest,
                steps: p.steps.length,
                counted,
              },
            ],
          }
        : {}),
      enrolledBy: run?.enrolledBy ?? 'unknown',
    };
    try {
      const result = await withDocumentLocks([cjId], () =>
        updateIfUnchanged(
          connection,
          model,
          cjId,
          {
            [`${slotField}.seq`]: run ? run.seq : { $exists: false },
            [`${slotField}.digest`]: run?.digest ?? { $exists: false },
          },
          {
            $set: { [slotField]: next },
            $setOnInsert: { workspaceId: p.workspaceId, contactId: p.contactId },
          },
          { upsert: true },
        ),
      );
      if (result.modifiedCount + result.upsertedCount > 0) replaced = placement.replaces;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  if (!replaced)
    throw new Error(`journey progress for ${p.workflowId} kept conflicting with concurrent writes`);

  // This batch's counts less those of the batches it replaced, one $inc per document.
  const net = new Map<string, { in: CounterBump['in']; id: string; inc: Record<string, number> }>();
  const add = (b: CounterBump, sign: number) => {
    const key = `${b.in} ${b.id}`;
    const entry = net.get(key) ?? { in: b.in, id: b.id, inc: {} };
    entry.inc[b.field] = (entry.inc[b.field] ?? 0) + sign * b.by;
    net.set(key, entry);
  };
  for (const b of counted) add(b, 1);
  for (const old of replaced) for (const b of old.counted) add(b, -1);
  const nodeStats = journeyNodeStatsModel(connection);
  const stats = journeyStatsModel(connection);
  await Promise.all(
    [...net.values()].map((entry) => {
      const inc = Object.fromEntries(Object.entries(entry.inc).filter(([, by]) => by !== 0));
      if (Object.keys(inc).length === 0) return undefined;
      return bumpCounters(entry.in === 'node' ? nodeStats : stats, entry.id, inc);
    }),
  );
  return true;
}

/** A send of this step that must wait for a later window of its channel's send limit (once per send). */
export async function countThrottledSend(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  nodeId: string,
) {
  await incUpsert(journeyNodeStatsModel(connection), `${workspaceId}:${journeyId}:${nodeId}`, {
    throttled: 1,
  });
}

/** Opens and clicks reported by tracking (the event carries journeyId and nodeId). */
export async function countJourneyEngagement(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  nodeId: string,
  what: 'opened' | 'clicked',
) {
  await incUpsert(journeyNodeStatsModel(connection), `${workspaceId}:${journeyId}:${nodeId}`, {
    [what]: 1,
  });
}

export async function journeyTotals(
  connection: Connection,
  workspaceId: string,
  journeyIds: string[],
) {
  const docs = await journeyStatsModel(connection)
    .find({ _id: { $in: journeyIds.map((id) => statsKey(workspaceId, id)) } })
    .lean();
  const byId = new Map(docs.map((d) => [d._id.slice(workspaceId.length + 1), d]));
  return (journeyId: string) => {
    const d = byId.get(journeyId);
    return {
      entered: d?.entered ?? 0,
      active: Math.max(0, d?.active ?? 0),
      converted: d?.converted ?? 0,
    };
  };
}

export interface NodeStatsView {
  entered: number;
  waiting: number;
  outputs: Record<string, number>;
  converted: number;
  sent?: number;
  /** Sends the frequency cap skipped. */
  capped?: number;
  /** Sends that waited for room under the channel's send limit. */
  throttled?: number;
  opened?: number;
  clicked?: number;
}

/** Per-node counters for the given nodes and one entry per UTC day of the last `days`. */
export async function journeyStats(
  connection: Connection,
  workspaceId: string,
  journeyId: string,
  nodeIds: string[],
  options: { days?: number; now?: Date } = {},
) {
  const nodeDocs = await journeyNodeStatsModel(connection)
    .find({ _id: { $in: nodeIds.map((n) => `${workspaceId}:${journeyId}:${n}`) } })
    .lean();
  const prefix = `${workspaceId}:${journeyId}:`;
  const nodes: Record<string, NodeStatsView> = {};
  for (const nodeId of nodeIds)
    nodes[nodeId] = { entered: 0, waiting: 0, outputs: {}, converted: 0 };
  for (const d of nodeDocs) {
    const nodeId = d._id.slice(prefix.length);
    nodes[nodeId] = {
      entered: d.entered ?? 0,
      waiting: Math.max(0, d.waiting ?? 0),
      outputs: Object.fromEntries(
        Object.entries(d.outputs ?? {}).map(([k, v]) => [decodeFieldName(k), v]),
      ),
      converted: d.converted ?? 0,
      ...(d.sent ? { sent: d.sent } : {}),
      ...(d.capped ? { capped: d.capped } : {}),
      ...(d.throttled ? { throttled: d.throttled } : {}),
      ...(d.opened ? { opened: d.opened } : {}),
      ...(d.clicked ? { clicked: d.clicked } : {}),
    };
  }
  const days = options.days ?? 30;
  const end = (options.now ?? new Date()).getTime();
  const dayList = Array.from({ length: days }, (_, i) =>
    utcDay(new Date(end - (days - 1 - i) * 86_400_000)),
  );
  const dayDocs = await journeyStatsModel(connection)
    .find({ _id: { $in: dayList.map((d) => dayKey(workspaceId, journeyId, d)) } })
    .lean();
  const byDay = new Map(dayDocs.map((d) => [d._id.slice(-10), d]));
  const series = dayList.map((day) => ({
    day,
    enrolled: byDay.get(day)?.enrolled ?? 0,
    converted: byDay.get(day)?.converted ?? 0,
  }));
  return {
    nodes,
    series,
    holdout: holdoutComparison(
      await journeyStatsModel(connection).findById(statsKey(workspaceId, journeyId)).lean(),
    ),
  };
}

/** Converted share of the contacts who went through the journey against the held-out ones; null when nothing to compare. */
export interface HoldoutComparison {
  journey: { contacts: number; converted: number; rate: number | null };
  holdout: { contacts: number; converted: number; rate: number | null };
  /** (journey rate − holdout rate) / holdout rate; null while either group is empty or the holdout rate is 0. */
  lift: number | null;
}

function holdoutComparison(
  totals: Pick<JourneyStatsDoc, 'entered' | 'converted' | 'heldOut' | 'holdoutConverted'> | null,
): HoldoutComparison {
  const heldOut = totals?.heldOut ?? 0;
  const journey = {
    contacts: Math.max(0, (totals?.entered ?? 0) - heldOut),
    converted: totals?.converted ?? 0,
  };
  const holdout = { contacts: heldOut, converted: totals?.holdoutConverted ?? 0 };
  const rate = (g: { contacts: number; converted: number }) =>
    g.contacts > 0 ? g.converted / g.contacts : null;
  const journeyRate = rate(journey);
  const holdoutRate = rate(holdout);
  return {
    journey: { ...journey, rate: journeyRate },
    holdout: { ...holdout, rate: holdoutRate },
    lift:
      journeyRate !== null && holdoutRate !== null && holdoutRate > 0
        ? (journeyRate - holdoutRate) / holdoutRate
        : null,
  };
}

export type { ContactJourneysDoc, JourneyRunRecord, JourneyRunStatus };
