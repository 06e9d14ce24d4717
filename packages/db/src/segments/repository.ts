// Long on purpose: the segment functions the API calls, one per route.
import type { Connection } from 'mongoose';
import {
  evaluateSegment,
  explainSegment,
  findSegmentCycle,
  segmentDependencies,
  stableStringify,
  utcDayKey,
  validateSegmentDefinition,
  DAY_MS,
  type ConditionExplanation,
  type ContactProfile,
  type FieldIssue,
  type SegmentDefinition,
} from '@cairn/core';
import { isDuplicateKeyError } from '../connection.js';
import { contactKey, contactModel, type ContactDoc } from '../models/contact.js';
import { loadProfile, loadProfiles } from '../profiles.js';
import { invalidateSegmentCache, loadWorkspaceSegments } from './cache.js';
import {
  segmentDailyCountModel,
  segmentKey,
  segmentMembershipChangeModel,
  segmentModel,
  segmentStatsModel,
  segmentVersionKey,
  segmentVersionModel,
  type Segment,
  type SegmentDoc,
  type SegmentMembershipChangeDoc,
} from './models.js';
import {
  decodeMemberCursor,
  ensureMemberPagesBuilt,
  markMemberPagesComplete,
  memberPagesComplete,
  readMemberPages,
} from './member-pages.js';
import { resetSegmentBackfill, withSegmentStats } from './stats.js';
import { EVALUATION_FIELDS } from './reevaluate.js';

/** Why a segment write was refused; the API turns `kind` into a status and `issues` into field errors. */
export class SegmentProblem extends Error {
  constructor(
    readonly kind: 'invalid' | 'unknownReference' | 'cycle' | 'conflict' | 'notFound' | 'inUse',
    message: string,
    readonly issues: FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'SegmentProblem';
  }
}

export const SEGMENT_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function slugOf(name: string): string {
  return (
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'segment'
  );
}

function prefixIssues(issues: FieldIssue[], prefix: string): FieldIssue[] {
  return issues.map((i) => ({ path: i.path ? `${prefix}.${i.path}` : prefix, message: i.message }));
}

/** Validates a definition against the workspace: shape, referenced segments and membership cycles. */
async function checkDefinition(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  definition: unknown,
): Promise<SegmentDefinition> {
  const shape = validateSegmentDefinition(definition);
  if (!shape.ok)
    throw new SegmentProblem(
      'invalid',
      'The segment definition is invalid.',
      prefixIssues(shape.issues, 'definition'),
    );
  const others = await segmentModel(connection)
    .find(
      { workspaceId, status: 'active', segmentId: { $ne: segmentId } },
      { segmentId: 1, definition: 1 },
    )
    .lean();
  const known = validateSegmentDefinition(definition, {
    knownSegmentIds: others.map((s) => s.segmentId),
  });
  if (!known.ok)
    throw new SegmentProblem(
      'unknownReference',
      'The segment definition refers to segments that do not exist.',
      prefixIssues(known.issues, 'definition'),
    );
  const cycle = findSegmentCycle([
    ...others.map((s) => ({ id: s.segmentId, definition: s.definition })),
    { id: segmentId, definition: shape.definition },
  ]);
  if (cycle) {
    throw new SegmentProblem(
      'cycle',
      `Segments would depend on each other in a cycle: ${cycle.join(' → ')}. Remove one of these segment conditions.`,
      [
        {
          path: 'definition',
          message: `membership cycle ${cycle.join(' → ')}; remove one of these segment conditions`,
        },
      ],
    );
  }
  return shape.definition;
}

export interface SegmentInput {
  name: string;
  description?: string;
  definition: unknown;
}

/** Creates a segment at version 1 with its backfill pending; the caller starts the backfill workflow. */
export async function createSegment(
  connection: Connection,
  workspaceId: string,
  input: SegmentInput & { segmentId?: string },
): Promise<Segment> {
  const Segments = segmentModel(connection);
  let segmentId = input.segmentId;
  if (segmentId !== undefined && !SEGMENT_ID_PATTERN.test(segmentId)) {
    throw new SegmentProblem('invalid', 'The segment id is invalid.', [
      {
        path: 'id',
        message: 'use 1–64 lowercase letters, digits, - or _, starting with a letter or digit',
      },
    ]);
  }
  if (segmentId === undefined) {
    const base = slugOf(input.name);
    segmentId = base;
    for (let n = 2; await Segments.exists({ _id: segmentKey(workspaceId, segmentId) }); n++)
      segmentId = `${base}-${n}`;
  }
  const definition = await checkDefinition(connection, workspaceId, segmentId, input.definition);
  const now = Date.now();
  try {
    await segmentVersionModel(connection).create({
      _id: segmentVersionKey(workspaceId, segmentId, 1),
      workspaceId,
      segmentId,
      version: 1,
      name: input.name,
      definition,
    });
    const doc = await Segments.create({
      _id: segmentKey(workspaceId, segmentId),
      workspaceId,
      segmentId,
      name: input.name,
      description: input.description ?? '',
      definition,
      version: 1,
      status: 'active',
    });
    // After the create: a duplicate id must not mark an existing segment's pages.
    await markMemberPagesComplete(connection, workspaceId, segmentId);
    invalidateSegmentCache(connection, workspaceId);
    await resetSegmentBackfill(connection, workspaceId, segmentId, 1, now);
    return (await withSegmentStats(connection, [doc.toObject()]))[0] as Segment;
  } catch (error) {
    if (isDuplicateKeyError(error))
      throw new SegmentProblem(
        'conflict',
        `A segment with id "${segmentId}" already exists; pick another id or edit that segment.`,
        [{ path: 'id', message: 'already taken' }],
      );
    throw error;
  }
}

export async function getSegment(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
): Promise<Segment | null> {
  const doc = await segmentModel(connection).findById(segmentKey(workspaceId, segmentId)).lean();
  if (!doc || doc.workspaceId !== workspaceId || doc.status !== 'active') return null;
  return (await withSegmentStats(connection, [doc]))[0] ?? null;
}

export async function listSegments(
  connection: Connection,
  workspaceId: string,
): Promise<Segment[]> {
  return withSegmentStats(
    connection,
    await segmentModel(connection).find({ workspaceId, status: 'active' }).sort({ name: 1 }).lean(),
  );
}

/**
 * Edits a segment. A changed definition freezes a new version and resets the backfill to pending
 * (`backfillNeeded`); a name or description change alone does neither.
 */
export async function updateSegment(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  input: Partial<SegmentInput>,
): Promise<{ segment: Segment; backfillNeeded: boolean }> {
  const Segments = segmentModel(connection);
  const _id = segmentKey(workspaceId, segmentId);
  const existing = await getSegment(connection, workspaceId, segmentId);
  if (!existing)
    throw new SegmentProblem('notFound', `No segment "${segmentId}" in this workspace.`);
  const set: Record<string, unknown> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.description !== undefined) set.description = input.description;
  let backfillNeeded = false;
  if (input.definition !== undefined) {
    const definition = await checkDefinition(connection, workspaceId, segmentId, input.definition);
    if (stableStringify(definition) !== stableStringify(existing.definition)) {
      const version = existing.version + 1;
      try {
        await segmentVersionModel(connection).create({
          _id: segmentVersionKey(workspaceId, segmentId, version),
          workspaceId,
          segmentId,
          version,
          name: input.name ?? existing.name,
          definition,
        });
      } catch (error) {
        if (isDuplicateKeyError(error))
          throw new SegmentProblem(
            'conflict',
            'The segment was edited at the same time by someone else; reload it and try again.',
          );
        throw error;
      }
      Object.assign(set, { definition, version });
      backfillNeeded = true;
    }
  }
  if (Object.keys(set).length > 0) {
    // Conditional on the version read: two concurrent edits cannot both win.
    const written = await Segments.updateOne(
      { _id, version: existing.version, status: 'active' },
      { $set: set },
    );
    if (written.matchedCount !== 1)
      throw new SegmentProblem(
        'conflict',
        'The segment was edited at the same time by someone else; reload it and try again.',
      );
    invalidateSegmentCache(connection, workspaceId);
    if (backfillNeeded)
      await resetSegmentBackfill(
        connection,
        workspaceId,
        segmentId,
        set.version as number,
        Date.now(),
      );
  }
  const [segment] = await withSegmentStats(connection, [
    (await Segments.findById(_id).lean()) as SegmentDoc,
  ]);
  return { segment: segment as Segment, backfillNeeded };
}

/** Archives a segment; refused while another active segment uses it. */
export async function archiveSegment(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
): Promise<void> {
  const existing = await getSegment(connection, workspaceId, segmentId);
  if (!existing)
    throw new SegmentProblem('notFound', `No segment "${segmentId}" in this workspace.`);
  const others = await listSegments(connection, workspaceId);
  const dependants = others
    .filter(
      (s) => s.segmentId !== segmentId && segmentDependencies(s.definition).includes(segmentId),
    )
    .map((s) => s.segmentId);
  if (dependants.length > 0) {
    throw new SegmentProblem(
      'inUse',
      `Segment "${segmentId}" is used by ${dependants.map((d) => `"${d}"`).join(', ')}; remove those conditions first.`,
    );
  }
  const _id = segmentKey(workspaceId, segmentId);
  // The system's figures live in segment_stats, so nothing but another edit writes this document.
  await segmentModel(connection).updateOne({ _id }, { $set: { status: 'archived' } });
  invalidateSegmentCache(connection, workspaceId);
}

/** Names of the given segments (archived ones included), by segmentId. */
export async function segmentNames(
  connection: Connection,
  workspaceId: string,
  segmentIds: string[],
): Promise<Map<string, string>> {
  if (segmentIds.length === 0) return new Map();
  const docs = await segmentModel(connection)
    .find(
      { _id: { $in: segmentIds.map((id) => segmentKey(workspaceId, id)) } },
      { segmentId: 1, name: 1 },
    )
    .limit(100)
    .lean();
  return new Map(docs.map((s) => [s.segmentId, s.name]));
}

export interface SegmentPreview {
  /** Contacts that match now. */
  count: number;
  /** Contacts in the workspace. */
  total: number;
  sample: { id: string; traits: Record<string, unknown> }[];
}

/**
 * Evaluates an unsaved definition over every contact of the workspace (one streamed pass of profiles;
 * segment conditions see the contacts' stored memberships).
 */
export async function previewSegment(
  connection: Connection,
  workspaceId: string,
  definition: SegmentDefinition,
  options: { now?: number; sampleSize?: number } = {},
): Promise<SegmentPreview> {
  const now = options.now ?? Date.now();
  const sampleSize = options.sampleSize ?? 10;
  const { profileSettings, timeZone } = await loadWorkspaceSegments(connection, workspaceId);
  const result: SegmentPreview = { count: 0, total: 0, sample: [] };
  const cursor = contactModel(connection)
    .find({ workspaceId }, EVALUATION_FIELDS)
    .lean()
    .cursor({ batchSize: 500 });
  const evaluatePage = async (page: ContactDoc[]) => {
    const profiles = await loadProfiles(connection, page);
    page.forEach((contact, i) => {
      result.total++;
      const profile = profiles[i] as ContactProfile;
      const { matches } = evaluateSegment(definition, {
        contactId: contact.contactId,
        profile,
        now,
        memberships: new Set(Object.keys(contact.segments ?? {})),
        profileSettings,
        timeZone,
      });
      if (!matches) return;
      result.count++;
      if (result.sample.length < sampleSize)
        result.sample.push({ id: contact.contactId, traits: profile.traits ?? {} });
    });
  };
  let page: ContactDoc[] = [];
  for await (const contact of cursor) {
    page.push(contact as ContactDoc);
    if (page.length === 200) {
      await evaluatePage(page);
      page = [];
    }
  }
  await evaluatePage(page);
  return result;
}

export interface SegmentMemberPage {
  items: {
    id: string;
    traits: Record<string, unknown>;
    since: number;
    version: number;
    lastSeenAt?: number;
  }[];
  nextCursor?: string;
}

/**
 * A page of members, read from the segment's member pages by `_id` (the first listing of a segment that
 * predates them builds them once). `cursor` is the `nextCursor` of the previous page; within a member page
 * contacts come in id order.
 */
export async function listSegmentMembers(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  options: { cursor?: string; limit?: number } = {},
): Promise<SegmentMemberPage> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const cursor = options.cursor ? decodeMemberCursor(options.cursor) : undefined;
  if (cursor === null)
    throw new SegmentProblem('invalid', 'The cursor is not one this listing handed out.', [
      { path: 'cursor', message: 'pass the nextCursor of the previous page, or leave it out' },
    ]);
  if (!(await memberPagesComplete(connection, workspaceId, segmentId)))
    await ensureMemberPagesBuilt(connection, workspaceId, segmentId);
  return readMemberPages(connection, workspaceId, segmentId, {
    limit,
    ...(cursor ? { cursor } : {}),
  });
}

/** Members per UTC day over the last `days` days, carrying the last known figure over quiet days. */
export async function segmentMemberHistory(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  options: { days?: number; now?: number } = {},
): Promise<{ day: string; members: number }[]> {
  const days = Math.min(Math.max(options.days ?? 30, 1), 400);
  const now = options.now ?? Date.now();
  const first = utcDayKey(now - (days - 1) * DAY_MS);
  const rows = await segmentDailyCountModel(connection)
    .find({ workspaceId, segmentId }, { day: 1, members: 1 })
    .sort({ day: 1 })
    .lean();
  const byDay = new Map(rows.map((r) => [r.day, r.members]));
  // The figure going into the first day is the last one recorded before it.
  let members = 0;
  for (const r of rows) if (r.day < first) members = r.members;
  const out: { day: string; members: number }[] = [];
  for (let i = days - 1; i >= 0; i--) {
    const day = utcDayKey(now - i * DAY_MS);
    members = byDay.get(day) ?? members;
    out.push({ day, members });
  }
  // Today's figure is the live count: two counts written at once can land in either order on the day's document.
  const live = await segmentStatsModel(connection)
    .findById(segmentKey(workspaceId, segmentId), { memberCount: 1 })
    .lean();
  const today = out[out.length - 1];
  if (live && today && today.day === utcDayKey(Date.now()))
    today.members = Math.max(0, live.memberCount);
  return out;
}

/** A contact's entries and exits, newest first. */
export async function contactSegmentHistory(
  connection: Connection,
  workspaceId: string,
  contactId: string,
  options: { limit?: number } = {},
): Promise<Pick<SegmentMembershipChangeDoc, 'segmentId' | 'kind' | 'version' | 'at' | 'reason'>[]> {
  return segmentMembershipChangeModel(connection)
    .find(
      { workspaceId, contactId },
      { _id: 0, segmentId: 1, kind: 1, version: 1, at: 1, reason: 1 },
    )
    .sort({ at: -1 })
    .limit(Math.min(Math.max(options.limit ?? 100, 1), 1000))
    .lean();
}

export interface SegmentExplanation {
  segmentId: string;
  contactId: string;
  /** Stored membership (what journeys saw). */
  member: boolean;
  /** What an evaluation right now answers. */
  matchesNow: boolean;
  explanation: ConditionExplanation;
}

/** Why a contact is (not) in a segment: one sentence per condition. Null when either is unknown. */
export async function explainContactSegment(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  contactId: string,
  options: { now?: number } = {},
): Promise<SegmentExplanation | null> {
  const [segment, contact] = await Promise.all([
    getSegment(connection, workspaceId, segmentId),
    contactModel(connection)
      .findById(contactKey(workspaceId, contactId), {
        workspaceId: 1,
        contactId: 1,
        profile: 1,
        foldRev: 1,
        lastFoldIds: 1,
        mergedFrom: 1,
        segments: 1,
      })
      .lean(),
  ]);
  if (!segment || !contact) return null;
  const { profileSettings, timeZone } = await loadWorkspaceSegments(connection, workspaceId);
  const explanation = explainSegment(segment.definition, {
    contactId,
    profile: await loadProfile(connection, contact),
    now: options.now ?? Date.now(),
    memberships: new Set(Object.keys(contact.segments ?? {})),
    profileSettings,
    timeZone,
  });
  return {
    segmentId,
    contactId,
    member: Boolean(contact.segments?.[segmentId]),
    matchesNow: explanation.matches,
    explanation,
  };
}
