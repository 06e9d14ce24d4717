// Long on purpose: one contact's and a page's re-evaluation share every write they make.
import type { Connection } from 'mongoose';
import { utcDayKey, type ContactProfile } from '@cairn/core';
import { forgetContacts } from '../contact-cache.js';
import { insertNew, updateIfUnchanged, upsertRacing, withDocumentLocks } from '../connection.js';
import { findByIds, updateByIds, upsertByIds, type UpsertById } from '../by-id.js';
import { contactKey, contactModel, type SegmentMembershipState } from '../models/contact.js';
import { enqueueJourneyTriggers } from '../models/journey-trigger.js';
import { loadProfile, loadProfiles } from '../profiles.js';
import { loadWorkspaceSegments, type WorkspaceSegments } from './cache.js';
import { fileContactForEvaluation, fileContactsForEvaluation } from './due.js';
import {
  evaluateMemberships,
  type MembershipChange,
  type MembershipOutcome,
} from './membership.js';
import {
  membershipChangeKey,
  segmentDailyCountKey,
  segmentDailyCountModel,
  segmentMembershipChangeModel,
  type MembershipChangeKind,
} from './models.js';
import { fileNewMembers, removeFormerMembers } from './member-pages.js';
import { addToMemberCounts } from './stats.js';
import { traced } from '../fold-trace.js';

export interface ReevaluateContactInput {
  workspaceId: string;
  contactId: string;
  /** The evaluation instant (epoch ms or Date); tests pass a controlled clock. Defaults to now. */
  now?: number | Date;
  /** Why: 'event', 'sweep', 'backfill', ... (kept with each entry/exit). */
  reason: string;
  /** Evaluate with these segments instead of the cached ones (the backfill reads them fresh). */
  segments?: WorkspaceSegments;
  /** Sweeper: do nothing unless the contact's nextEvaluationAt is at or before this instant. */
  onlyIfDueBy?: number;
  /**
   * Sweeper: evaluate at the contact's own due instant (nextEvaluationAt) instead of `now`, so every process
   * sweeping it computes the same change at the same instant and writes the same ids.
   */
  atDueInstant?: boolean;
  /** Keep memberCount and the daily chart live (default). The backfill turns it off and recounts at its end. */
  countChanges?: boolean;
}

export interface ReevaluateContactResult {
  entered: string[];
  exited: string[];
  nextEvaluationAt: number | null;
  /** False when the contact does not exist or was not due. */
  evaluated: boolean;
  /** The instant evaluated at (the due instant with atDueInstant). */
  evaluatedAt?: number;
}

const MAX_ATTEMPTS = 8;

/** What an evaluation reads of a contact: its profile (and what loading it whole needs), memberships, revision. */
export const EVALUATION_FIELDS = {
  workspaceId: 1,
  contactId: 1,
  profile: 1,
  foldRev: 1,
  lastFoldIds: 1,
  mergedFrom: 1,
  segments: 1,
  rev: 1,
  nextEvaluationAt: 1,
} as const;

/**
 * Brings one contact's segment memberships up to date with its profile at `now`.
 * Order matters for crash safety: history and journey triggers first (deterministic ids, so a retry
 * rewrites nothing), then the due bucket, then the contact's state, conditional on the revision it read.
 */
export async function reevaluateContact(
  connection: Connection,
  input: ReevaluateContactInput,
): Promise<ReevaluateContactResult> {
  const now =
    input.now === undefined
      ? Date.now()
      : typeof input.now === 'number'
        ? input.now
        : input.now.getTime();
  const { workspaceId, contactId } = input;
  const workspace = input.segments ?? (await loadWorkspaceSegments(connection, workspaceId));
  const Contacts = contactModel(connection);
  const _id = contactKey(workspaceId, contactId);
  return withDocumentLocks([_id], async () => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const contact = await Contacts.findById(_id, EVALUATION_FIELDS).lean();
      if (!contact) return { entered: [], exited: [], nextEvaluationAt: null, evaluated: false };
      if (
        input.onlyIfDueBy !== undefined &&
        (contact.nextEvaluationAt == null || contact.nextEvaluationAt > input.onlyIfDueBy)
      ) {
        return {
          entered: [],
          exited: [],
          nextEvaluationAt: contact.nextEvaluationAt ?? null,
          evaluated: false,
        };
      }
      const at =
        input.atDueInstant && contact.nextEvaluationAt != null && contact.nextEvaluationAt <= now
          ? contact.nextEvaluationAt
          : now;
      const current: Record<string, SegmentMembershipState> = contact.segments ?? {};
      const outcome = evaluateMemberships({
        contactId,
        profile: await loadProfile(connection, contact),
        current,
        segments: workspace.ordered,
        now: at,
        profileSettings: workspace.profileSettings,
        timeZone: workspace.timeZone,
        // The write below is guarded by the revision read and bumps it by one.
        rev: (contact.rev ?? 0) + 1,
      });
      const result = {
        entered: outcome.entered.map((c) => c.segmentId),
        exited: outcome.exited.map((c) => c.segmentId),
        nextEvaluationAt: outcome.nextEvaluationAt,
        evaluated: true,
        evaluatedAt: at,
      };
      const sameMembers =
        Object.keys(current).length === Object.keys(outcome.segments).length &&
        result.entered.length === 0 &&
        result.exited.length === 0;
      if (sameMembers && (contact.nextEvaluationAt ?? null) === outcome.nextEvaluationAt)
        return result;

      await recordMembershipChanges(connection, {
        workspaceId,
        contactId,
        now: at,
        reason: input.reason,
        entered: outcome.entered,
        exited: outcome.exited,
      });
      await fileNewMembers(connection, workspaceId, [
        { contactId, segments: outcome.segments, entered: outcome.entered },
      ]);
      // Filed before the state write: a crash in between leaves at worst a stale entry, never a lost due time.
      // Unchanged due time: the contact is already in that bucket.
      if (
        outcome.nextEvaluationAt !== null &&
        outcome.nextEvaluationAt !== contact.nextEvaluationAt
      )
        await fileContactForEvaluation(
          connection,
          workspaceId,
          contactId,
          outcome.nextEvaluationAt,
        );
      const revGuard =
        contact.rev === undefined ? { rev: { $exists: false } } : { rev: contact.rev };
      const written = await updateIfUnchanged(connection, Contacts, _id, revGuard, {
        $set: { segments: outcome.segments, nextEvaluationAt: outcome.nextEvaluationAt },
        $inc: { rev: 1 },
      });
      if (written.matchedCount === 1) {
        forgetContacts(connection, [_id]);
        await removeFormerMembers(
          connection,
          workspaceId,
          outcome.exited.map((c) => ({
            contactId,
            segmentId: c.segmentId,
            page: current[c.segmentId]?.page,
          })),
        );
        if (input.countChanges !== false)
          await countMembershipChanges(connection, workspaceId, [
            { at, entered: outcome.entered, exited: outcome.exited },
          ]);
        return result;
      }
      // Someone (ingestion, another evaluation) wrote in between: evaluate again on what they wrote.
    }
    throw new Error(
      `contact ${contactId} in workspace ${workspaceId} kept changing during segment evaluation (${MAX_ATTEMPTS} attempts); retry later`,
    );
  });
}

/** Due instants one call evaluates in memory for a contact behind on its windows (the sweep's catch-up). */
const MAX_STEPS_IN_MEMORY = 16;

export interface ReevaluateContactsInput extends Omit<ReevaluateContactInput, 'contactId'> {
  contactIds: string[];
}

/** Per contact asked for, what its re-evaluation did (same shape as reevaluateContact's answer). */
export type ReevaluateContactsResult = Map<string, ReevaluateContactResult>;

/**
 * reevaluateContact for many contacts of one workspace at once, in the same write order, with the writes that
 * do not belong to one contact made once for all: history and triggers in two inserts, due and member pages
 * per page, counts per segment. Each contact's state is still one guarded update; a contact that changed in
 * between goes the one-by-one way.
 */
export async function reevaluateContacts(
  connection: Connection,
  input: ReevaluateContactsInput,
): Promise<ReevaluateContactsResult> {
  const now =
    input.now === undefined
      ? Date.now()
      : typeof input.now === 'number'
        ? input.now
        : input.now.getTime();
  const { workspaceId } = input;
  const contactIds = [...new Set(input.contactIds)];
  const workspace = input.segments ?? (await loadWorkspaceSegments(connection, workspaceId));
  const Contacts = contactModel(connection);
  const results: ReevaluateContactsResult = new Map();
  const retry: string[] = [];
  await withDocumentLocks(
    contactIds.map((id) => contactKey(workspaceId, id)),
    async () => {
      const docs = await traced('re:readContacts', contactIds.length, () =>
        findByIds(
          connection,
          Contacts,
          contactIds.map((contactId) => contactKey(workspaceId, contactId)),
          EVALUATION_FIELDS,
        ),
      );
      const toEvaluate = docs.flatMap((contact, i) => {
        const contactId = contactIds[i] as string;
        if (!contact) {
          results.set(contactId, {
            entered: [],
            exited: [],
            nextEvaluationAt: null,
            evaluated: false,
          });
          return [];
        }
        if (
          input.onlyIfDueBy !== undefined &&
          (contact.nextEvaluationAt == null || contact.nextEvaluationAt > input.onlyIfDueBy)
        ) {
          results.set(contactId, {
            entered: [],
            exited: [],
            nextEvaluationAt: contact.nextEvaluationAt ?? null,
            evaluated: false,
          });
          return [];
        }
        return [{ contactId, contact }];
      });
      const profiles = await traced('re:loadActivity', toEvaluate.length, () =>
        loadProfiles(
          connection,
          toEvaluate.map((c) => c.contact),
        ),
      );
      const planned = toEvaluate.flatMap(({ contactId, contact }, i) => {
        const current: Record<string, SegmentMembershipState> = contact.segments ?? {};
        const rev = contact.rev ?? 0;
        // As in reevaluateContact: the sweeper evaluates at the contact's own due instant. A due instant that
        // is past again (a catch-up) is evaluated next, in memory, up to MAX_STEPS_IN_MEMORY instants: each
        // step's changes keep their own instant and revision, and the contact is written once for all.
        const steps: { at: number; outcome: MembershipOutcome }[] = [];
        let state = current;
        let due = contact.nextEvaluationAt ?? null;
        for (;;) {
          const at = input.atDueInstant && due !== null && due <= now ? due : now;
          const outcome = evaluateMemberships({
            contactId,
            profile: profiles[i] as ContactProfile,
            current: state,
            segments: workspace.ordered,
            now: at,
            profileSettings: workspace.profileSettings,
            timeZone: workspace.timeZone,
            // The guarded write below bumps the revision it read by one per step.
            rev: rev + steps.length + 1,
          });
          steps.push({ at, outcome });
          state = outcome.segments;
          due = outcome.nextEvaluationAt;
          const again =
            input.atDueInstant &&
            due !== null &&
            due <= now &&
            due > at &&
            steps.length < MAX_STEPS_IN_MEMORY;
          if (!again) break;
        }
        const last = steps.at(-1)!.outcome;
        const changedAt = steps.find(
          (st) => st.outcome.entered.length + st.outcome.exited.length > 0,
        )?.at;
        const result = {
          entered: steps.flatMap((st) => st.outcome.entered.map((c) => c.segmentId)),
          exited: steps.flatMap((st) => st.outcome.exited.map((c) => c.segmentId)),
          nextEvaluationAt: last.nextEvaluationAt,
          evaluated: true,
          evaluatedAt: changedAt ?? steps[0]!.at,
        };
        results.set(contactId, result);
        const unchanged =
          Object.keys(current).length === Object.keys(last.segments).length &&
          result.entered.length === 0 &&
          result.exited.length === 0 &&
          (contact.nextEvaluationAt ?? null) === last.nextEvaluationAt;
        if (unchanged) return [];
        // Member pages follow the net change: a segment left and entered again in one catch-up keeps its page.
        const segments: Record<string, SegmentMembershipState> = {};
        for (const [segmentId, st] of Object.entries(last.segments)) {
          const page = current[segmentId]?.page;
          segments[segmentId] = st.page === undefined && page !== undefined ? { ...st, page } : st;
        }
        // A segment dropped meanwhile leaves without an exit among the steps: undefined, filled in below.
        const latest = (list: 'entered' | 'exited', segmentId: string) =>
          steps.flatMap((st) => st.outcome[list]).findLast((c) => c.segmentId === segmentId);
        const netEntered = Object.keys(segments)
          .filter((id) => !current[id])
          .map((id) => latest('entered', id))
          .filter((c): c is NonNullable<typeof c> => c !== undefined);
        const netExited = Object.keys(current)
          .filter((id) => !segments[id])
          .map((id) => latest('exited', id) ?? { segmentId: id, version: current[id]!.version });
        return [{ contactId, contact, current, steps, segments, last, netEntered, netExited }];
      });
      if (planned.length === 0) return;

      // Filed before the states that name them, and side by side: different collections, none reads another.
      await traced('re:fileBefore', planned.length, () =>
        Promise.all([
          recordMembershipChangesMany(
            connection,
            planned.flatMap((p) =>
              p.steps.map((st) => ({
                workspaceId,
                contactId: p.contactId,
                now: st.at,
                reason: input.reason,
                entered: st.outcome.entered,
                exited: st.outcome.exited,
              })),
            ),
          ),
          fileNewMembers(
            connection,
            workspaceId,
            planned
              .filter((p) => p.netEntered.length > 0)
              .map((p) => ({
                contactId: p.contactId,
                segments: p.segments,
                entered: p.netEntered,
              })),
          ),
          fileContactsForEvaluation(
            connection,
            workspaceId,
            planned.flatMap((p) => {
              const at = p.last.nextEvaluationAt;
              return at === null || at === p.contact.nextEvaluationAt
                ? []
                : [{ contactId: p.contactId, at }];
            }),
          ),
        ]),
      );
      const won: typeof planned = [];
      const applied = await traced('re:updateContacts', planned.length, () =>
        updateByIds(
          connection,
          Contacts,
          planned.map((p) => ({
            _id: p.contact._id,
            guard:
              p.contact.rev === undefined ? { rev: { $exists: false } } : { rev: p.contact.rev },
            update: {
              $set: { segments: p.segments, nextEvaluationAt: p.last.nextEvaluationAt },
              $inc: { rev: p.steps.length },
            },
          })),
        ),
      );
      planned.forEach((p, i) => (applied[i] ? won.push(p) : retry.push(p.contactId)));
      forgetContacts(
        connection,
        won.map((p) => p.contact._id),
      );
      // Counted on the day each change happened (due instants of a catch-up can fall on earlier days).
      const byDay = new Map<
        string,
        { at: number; entered: MembershipChange[]; exited: MembershipChange[] }
      >();
      if (input.countChanges !== false)
        for (const p of won)
          for (const { at, outcome } of p.steps) {
            if (outcome.entered.length + outcome.exited.length === 0) continue;
            const day = byDay.get(utcDayKey(at)) ?? { at, entered: [], exited: [] };
            day.entered.push(...outcome.entered);
            day.exited.push(...outcome.exited);
            byDay.set(utcDayKey(at), day);
          }
      await traced('re:after', won.length, () =>
        Promise.all([
          removeFormerMembers(
            connection,
            workspaceId,
            won.flatMap((p) =>
              p.netExited.map((c) => ({
                contactId: p.contactId,
                segmentId: c.segmentId,
                page: p.current[c.segmentId]?.page,
              })),
            ),
          ),
          countMembershipChanges(connection, workspaceId, [...byDay.values()]),
        ]),
      );
    },
  );
  // Changed by someone else meanwhile: evaluate again on what they wrote, one at a time.
  for (const contactId of retry)
    results.set(contactId, await reevaluateContact(connection, { ...input, contactId, now }));
  return results;
}

export interface MembershipChanges {
  workspaceId: string;
  contactId: string;
  now: number;
  reason: string;
  entered: MembershipChange[];
  exited: MembershipChange[];
}

export async function recordMembershipChanges(
  connection: Connection,
  input: MembershipChanges,
): Promise<void> {
  await recordMembershipChangesMany(connection, [input]);
}

/** The history entries and journey triggers of many contacts' membership changes: two inserts in all. */
export async function recordMembershipChangesMany(
  connection: Connection,
  inputs: MembershipChanges[],
): Promise<void> {
  const changes = inputs.flatMap((input) => [
    ...input.entered.map((change) => ({ input, kind: 'entered' as MembershipChangeKind, change })),
    ...input.exited.map((change) => ({ input, kind: 'exited' as MembershipChangeKind, change })),
  ]);
  if (changes.length === 0) return;
  const docs = changes.map(({ input, kind, change }) => ({
    _id: membershipChangeKey(input.workspaceId, change.segmentId, input.contactId, input.now),
    workspaceId: input.workspaceId,
    segmentId: change.segmentId,
    contactId: input.contactId,
    kind,
    version: change.version,
    ...(change.rev !== undefined ? { rev: change.rev } : {}),
    at: input.now,
    reason: input.reason,
  }));
  // A retried re-evaluation writes the same _ids again: those are already there.
  await insertNew(
    // Built whole here: inserted as they are, without mongoose's per-document casting and validation.
    (list) =>
      segmentMembershipChangeModel(connection).insertMany(list, { ordered: false, lean: true }),
    docs,
  );
  await enqueueJourneyTriggers(
    connection,
    changes.map(({ input, kind, change }) => ({
      workspaceId: input.workspaceId,
      contactId: input.contactId,
      kind: kind === 'entered' ? ('segmentEntered' as const) : ('segmentExited' as const),
      segmentId: change.segmentId,
      segmentVersion: change.version,
      ...(change.rev !== undefined ? { segmentRev: change.rev } : {}),
      at: input.now,
    })),
  );
}

/** The membership changes of one instant's evaluations, counted on that instant's day. */
export interface ChangesAt {
  at: number;
  entered: MembershipChange[];
  exited: MembershipChange[];
}

/**
 * Live member counts and each day's figure for the chart; the backfill recounts exactly at its end. Any
 * number of processes count at once: `$inc` on segment_stats is atomic where Cairn runs (decision 010).
 * Changes are summed per segment first, so a page of folds (or a sweep's catch-up over several days) costs
 * one bulk of counters, one read of them and one bulk of day figures, however many contacts changed.
 */
export async function countMembershipChanges(
  connection: Connection,
  workspaceId: string,
  changes: ChangesAt[],
): Promise<void> {
  const net = new Map<string, number>();
  const perDay = new Map<
    string,
    { day: string; segmentId: string; entered: number; exited: number }
  >();
  const add = (segmentId: string, at: number, entered: number, exited: number) => {
    net.set(segmentId, (net.get(segmentId) ?? 0) + entered - exited);
    const day = utcDayKey(at);
    const key = `${segmentId}\t${day}`;
    const figures = perDay.get(key) ?? { day, segmentId, entered: 0, exited: 0 };
    figures.entered += entered;
    figures.exited += exited;
    perDay.set(key, figures);
  };
  for (const { at, entered, exited } of changes) {
    for (const c of entered) add(c.segmentId, at, 1, 0);
    for (const c of exited) add(c.segmentId, at, 0, 1);
  }
  if (net.size === 0) return;
  const counts = await addToMemberCounts(connection, workspaceId, net);
  // A day's figure is the count at its end: the latest count less the changes of later days.
  const days = [...perDay.values()].sort((a, b) => b.day.localeCompare(a.day));
  const later = new Map<string, number>();
  const daily: UpsertById[] = [];
  for (const d of days) {
    const members = counts.get(d.segmentId);
    if (members === undefined) continue;
    const after = later.get(d.segmentId) ?? 0;
    later.set(d.segmentId, after + d.entered - d.exited);
    daily.push({
      _id: segmentDailyCountKey(workspaceId, d.segmentId, d.day),
      update: {
        $set: {
          workspaceId,
          segmentId: d.segmentId,
          day: d.day,
          members: Math.max(0, members - after),
        },
        $inc: { entered: d.entered, exited: d.exited },
      },
    });
  }
  await upsertByIds(connection, segmentDailyCountModel(connection), daily);
}

/** Overwrites today's chart figure with an exact count (after a backfill's recount). */
export async function recordDailyMemberCount(
  connection: Connection,
  workspaceId: string,
  segmentId: string,
  now: number,
  members: number,
): Promise<void> {
  const day = utcDayKey(now);
  await upsertRacing(() =>
    segmentDailyCountModel(connection).updateOne(
      { _id: segmentDailyCountKey(workspaceId, segmentId, day) },
      { $set: { workspaceId, segmentId, day, members } },
      { upsert: true },
    ),
  );
}
