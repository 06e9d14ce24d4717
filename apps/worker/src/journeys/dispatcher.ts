// Long on purpose: one class holds the state its steps share (cache, pacing, retries, rechecks).
// Reads the journey_triggers outbox: signals the contact's running journeys, enrols the contact in
// published journeys whose trigger matches, then deletes the trigger. A trigger that fails stays
// (attempts, lastError) and is retried later, so a Temporal outage loses nothing.
import { WorkflowNotFoundError } from '@temporalio/client';
import {
  eventStartsJourney,
  matchesFilters,
  reactsToProfileChanges,
  readPath,
  type Duration,
  type JourneyEvent,
} from '@cairn/core';
import {
  completeJourneyTrigger,
  contactRevision,
  findContactJourneys,
  loadJourneyDefinition,
  nextJourneyTriggers,
  onJourneyTriggersQueued,
  publishedJourneys,
  recordJourneyTriggerFailure,
  segmentMembership,
  type JourneyTriggerDoc,
  type SegmentMembershipState,
} from '@cairn/db';
import { JOURNEY_SIGNALS, type SegmentChange } from '@cairn/workflows';
import { enrollInJourney, type EnrollDeps, type EnrollResult } from './enroll.js';

export interface DispatcherOptions extends EnrollDeps {
  log?: {
    info(o: object, m?: string): void;
    warn(o: object, m?: string): void;
    debug?(o: object, m?: string): void;
  };
  /**
   * Passes a segment-entry or profile-change trigger is retried while the change it announces is not visible
   * yet (default 3: about 14 s); a profile change is then signalled anyway (a signal too many is harmless).
   */
  membershipRechecks?: number;
  /** Triggers read per pass. */
  batchSize?: number;
  /** Contacts handled at once (one contact's triggers always in order); default 32. */
  concurrency?: number;
  /** Upper bound on workflow starts per second, so a burst of a million entrants does not flood Temporal. */
  maxStartsPerSecond?: number;
  now?: () => Date;
}

export interface DispatchReport {
  processed: number;
  failed: number;
  enrolled: number;
  signalled: number;
  /** Matching journeys that let the contact in not, by reason (e.g. entryEnded, entryNotStarted, reentryNever). */
  skipped: Record<string, number>;
}

type HandleOutcome = { enrolled: number; signalled: number; skipped?: string[] };

const JOURNEY_CACHE_MS = 2000;
const MAX_BACKOFF_MS = 5 * 60_000;

/** How many times a segment-entry trigger is retried while the membership it announces is not visible. */
const MEMBERSHIP_RECHECKS = 3;

class NotVisibleYet extends Error {
  constructor(what: string) {
    super(`${what} not written yet; checking again`);
  }
}

class MembershipNotVisibleYet extends NotVisibleYet {
  constructor(
    segmentId: string,
    /** The contact's revision is below the change's: its write is on the way, look again in a moment. */
    readonly landing = false,
  ) {
    super(`segment '${segmentId}' membership`);
  }
}

/** While a change's write is on the way: how soon to look again, and for how long before the usual backoff. */
const LANDING_RECHECK_MS = 20;
const LANDING_RECHECKS = 50;

export class JourneyDispatcher {
  private readonly journeysByWorkspace = new Map<
    string,
    { at: number; journeys: Awaited<ReturnType<typeof publishedJourneys>> }
  >();
  private readonly journeyReads = new Map<
    string,
    { at: number; read: ReturnType<typeof publishedJourneys> }
  >();
  private readonly retryAfter = new Map<string, number>();
  private readonly landingRechecks = new Map<string, number>();
  private startsThisSecond = { second: 0, count: 0 };

  constructor(private readonly options: DispatcherOptions) {}

  private now() {
    return this.options.now?.() ?? new Date();
  }

  /** When the earliest trigger held back for a retry is due (ms since epoch); undefined when none is. */
  nextRetryAt(): number | undefined {
    const now = Date.now();
    let next: number | undefined;
    for (const at of this.retryAfter.values())
      if (at > now && (next === undefined || at < next)) next = at;
    return next;
  }

  /** One pass over the outbox; returns what it did. */
  async dispatchOnce(): Promise<DispatchReport> {
    const report: DispatchReport = {
      processed: 0,
      failed: 0,
      enrolled: 0,
      signalled: 0,
      skipped: {},
    };
    const triggers = await nextJourneyTriggers(
      this.options.db.connection,
      this.options.batchSize ?? 200,
    );
    const wallNow = Date.now();
    // The whole outbox was read: a held-back trigger not in it was handled elsewhere.
    if (triggers.length < (this.options.batchSize ?? 200)) {
      const present = new Set(triggers.map((t) => t._id));
      for (const id of this.retryAfter.keys())
        if (!present.has(id)) {
          this.retryAfter.delete(id);
          this.landingRechecks.delete(id);
        }
    }
    const byContact = new Map<string, JourneyTriggerDoc[]>();
    for (const t of triggers) {
      if ((this.retryAfter.get(t._id) ?? 0) > wallNow) continue;
      const key = `${t.workspaceId}:${t.contactId}`;
      byContact.set(key, [...(byContact.get(key) ?? []), t]);
    }
    const groups = [...byContact.values()];
    // Most of a start is waiting (on the database, then on Temporal): more contacts in flight than a
    // client's 8 keep both busy; one contact's triggers still go in order.
    const concurrency = this.options.concurrency ?? 32;
    // A contact's last trigger in the pass is deleted behind its lane, which moves on to the next contact;
    // an earlier one is deleted before the next is handled, so a failed delete still holds the later ones.
    const completions: Promise<void>[] = [];
    const complete = async (trigger: JourneyTriggerDoc) => {
      await completeJourneyTrigger(this.options.db.connection, trigger._id);
      this.retryAfter.delete(trigger._id);
      this.landingRechecks.delete(trigger._id);
      report.processed += 1;
    };
    const workers = Array.from({ length: Math.min(concurrency, groups.length) }, async () => {
      for (let group = groups.shift(); group; group = groups.shift()) {
        for (const [i, trigger] of group.entries()) {
          try {
            // A later profile change of the contact in this pass, at a revision as high, covers this one.
            const covered =
              trigger.kind === 'profileChanged' &&
              group
                .slice(i + 1)
                .some(
                  (later) =>
                    later.kind === 'profileChanged' &&
                    (later.contactRev ?? 0) >= (trigger.contactRev ?? 0),
                );
            const outcome: HandleOutcome = covered
              ? { enrolled: 0, signalled: 0 }
              : await this.handle(trigger);
            report.enrolled += outcome.enrolled;
            report.signalled += outcome.signalled;
            for (const reason of outcome.skipped ?? [])
              report.skipped[reason] = (report.skipped[reason] ?? 0) + 1;
            if (i < group.length - 1) await complete(trigger);
            else
              completions.push(
                complete(trigger).catch((error: unknown) => this.failed(trigger, error, report)),
              );
          } catch (error) {
            await this.failed(trigger, error, report);
            // Later triggers of this contact wait, so its events stay in order.
            break;
          }
        }
      }
    });
    await Promise.all(workers);
    await Promise.all(completions);
    return report;
  }

  /** Holds a trigger back for a retry: soon while the change it announces is landing, else with backoff. */
  private async failed(trigger: JourneyTriggerDoc, error: unknown, report: DispatchReport) {
    report.failed += 1;
    const landing = (this.landingRechecks.get(trigger._id) ?? 0) + 1;
    if (error instanceof MembershipNotVisibleYet && error.landing && landing <= LANDING_RECHECKS) {
      // The fold writes the trigger just before the membership: no failure to record, no backoff.
      this.landingRechecks.set(trigger._id, landing);
      this.retryAfter.set(trigger._id, Date.now() + LANDING_RECHECK_MS);
      return;
    }
    const attempts = (trigger.attempts ?? 0) + 1;
    this.retryAfter.set(
      trigger._id,
      Date.now() + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 10)),
    );
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof NotVisibleYet)
      this.options.log?.debug?.({ trigger: trigger._id, attempts }, message);
    else
      this.options.log?.warn(
        { trigger: trigger._id, attempts, err: message },
        'journey trigger failed; will retry',
      );
    await recordJourneyTriggerFailure(this.options.db.connection, trigger._id, message).catch(
      () => undefined,
    );
  }

  /** The published journeys, from a read that began at or after `notBefore` (one read shared by the pass). */
  private async journeysOf(workspaceId: string, notBefore: number) {
    const cached = this.journeysByWorkspace.get(workspaceId);
    if (cached && cached.at >= notBefore && Date.now() - cached.at < JOURNEY_CACHE_MS)
      return cached.journeys;
    const inFlight = this.journeyReads.get(workspaceId);
    if (inFlight && inFlight.at >= notBefore) return inFlight.read;
    const at = Date.now();
    const read = publishedJourneys(this.options.db.connection, workspaceId).finally(() => {
      if (this.journeyReads.get(workspaceId)?.read === read) this.journeyReads.delete(workspaceId);
    });
    this.journeyReads.set(workspaceId, { at, read });
    const journeys = await read;
    if ((this.journeysByWorkspace.get(workspaceId)?.at ?? -1) < at)
      this.journeysByWorkspace.set(workspaceId, { at, journeys });
    return journeys;
  }

  private async pace() {
    const limit = this.options.maxStartsPerSecond ?? 200;
    for (;;) {
      const second = Math.floor(Date.now() / 1000);
      if (this.startsThisSecond.second !== second) this.startsThisSecond = { second, count: 0 };
      if (this.startsThisSecond.count < limit) {
        this.startsThisSecond.count += 1;
        return;
      }
      await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000)));
    }
  }

  private async handle(trigger: JourneyTriggerDoc): Promise<HandleOutcome> {
    const { workspaceId, contactId } = trigger;
    if (trigger.kind === 'profileChanged') return this.signalProfileChanged(trigger);
    const event: JourneyEvent | undefined =
      trigger.kind === 'event' && trigger.event
        ? {
            event: trigger.event,
            properties: trigger.properties ?? {},
            timestamp: new Date(trigger.at).toISOString(),
          }
        : undefined;

    // Running runs first, so a run started below never receives its own entry event as a signal. A trigger
    // for one journey (existing members at publish) is no change of membership: nothing to tell running runs.
    let signalled = 0;
    // Undefined: not read (the reservation reads them); null: read, the contact has no runs yet.
    const runs =
      trigger.journeyId === undefined
        ? await findContactJourneys(this.options.db.connection, workspaceId, contactId)
        : undefined;
    for (const run of Object.values(runs?.runs ?? {})) {
      if (run.status !== 'active') continue;
      const handle = this.options.client.workflow.getHandle(run.workflowId);
      try {
        if (event) await handle.signal(JOURNEY_SIGNALS.contactEvent, event);
        else if (trigger.segmentId)
          await handle.signal(JOURNEY_SIGNALS.segmentChanged, {
            segmentId: trigger.segmentId,
            member: trigger.kind === 'segmentEntered',
            ...(trigger.segmentRev !== undefined ? { rev: trigger.segmentRev } : {}),
          } satisfies SegmentChange);
        signalled += 1;
      } catch (error) {
        // The run ended after its record was read: nothing to tell it.
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }

    if (trigger.kind === 'segmentExited') return { enrolled: 0, signalled };
    // A list read before the trigger was written may miss a journey published just before it.
    let journeys = await this.journeysOf(workspaceId, new Date(trigger.createdAt).getTime());
    // Queued at publish, so this process's cached list may predate the journey: read it afresh.
    if (trigger.journeyId !== undefined && !journeys.some((j) => j.journeyId === trigger.journeyId))
      journeys = await this.journeysOf(workspaceId, Date.now());
    let enrolled = 0;
    const skipped: string[] = [];
    let membership: SegmentMembershipState | null | undefined;
    for (const journey of journeys) {
      if (trigger.journeyId !== undefined && journey.journeyId !== trigger.journeyId) continue;
      const node = journey.definition.nodes.find((n) => n.kind === 'trigger');
      if (node?.kind !== 'trigger') continue;
      const spec = node.trigger;
      let key: string | undefined;
      if (trigger.kind === 'segmentEntered') {
        if (spec.type !== 'segmentEntered' || spec.segmentId !== trigger.segmentId) continue;
        if (membership === undefined) {
          const stored = await segmentMembership(
            this.options.db.connection,
            workspaceId,
            contactId,
            trigger.segmentId,
          );
          if (!stored.membership && (trigger.segmentRev ?? -1) > stored.contactRev)
            throw new MembershipNotVisibleYet(trigger.segmentId, true);
          membership = stored.membership;
        }
        if (!membership) {
          // The trigger is written before the contact's membership (triggers before state), so a fresh
          // one may be read in between: look again a few times before calling it stale (the contact
          // left again), which enrols nobody.
          if ((trigger.attempts ?? 0) < (this.options.membershipRechecks ?? MEMBERSHIP_RECHECKS))
            throw new NotVisibleYet(`segment '${trigger.segmentId}' membership`);
          continue;
        }
      } else {
        if (
          spec.type !== 'event' ||
          !event ||
          spec.event !== event.event ||
          !matchesFilters(event.properties ?? {}, spec.filters)
        )
          continue;
        if (!this.isLiveEnough(trigger, spec)) continue;
        if (spec.key !== undefined) {
          const value = readPath(event.properties, spec.key);
          if (value === undefined || value === null || value === '') continue;
          key = String(value);
        }
      }
      await this.pace();
      const result: EnrollResult = await enrollInJourney(this.options, {
        workspaceId,
        journeyId: journey.journeyId,
        contactId,
        ...(key !== undefined ? { key } : {}),
        entry: {
          kind: trigger.kind,
          ...(event ? { event } : {}),
          at: new Date(trigger.at).toISOString(),
          ...entrySegment(trigger, membership),
        },
        enrolledBy: `${trigger._id}`,
        now: this.now(),
        ...(runs !== undefined ? { contactJourneys: runs } : {}),
        // The list was read at or after the trigger was written: no journey read per start.
        journey: { status: 'published', publishedVersion: journey.version },
      });
      if ('enrolled' in result) enrolled += 1;
      else {
        skipped.push(result.reason);
        this.options.log?.debug?.(
          { trigger: trigger._id, journeyId: journey.journeyId, contactId, reason: result.reason },
          'contact not enrolled',
        );
      }
    }
    return { enrolled, signalled, skipped };
  }

  /**
   * Tells the contact's running runs that can move on a profile change alone (a `waitFor` condition, a goal on
   * the profile: see reactsToProfileChanges), once the change is visible, so the run re-checks what it waits for.
   * Other runs hear nothing: their next step reads the profile afresh anyway.
   */
  private async signalProfileChanged(
    trigger: JourneyTriggerDoc,
  ): Promise<{ enrolled: number; signalled: number }> {
    const { workspaceId, contactId } = trigger;
    const connection = this.options.db.connection;
    const listening = [];
    for (const run of Object.values(
      (await findContactJourneys(connection, workspaceId, contactId))?.runs ?? {},
    )) {
      if (run.status !== 'active') continue;
      // The version the run entered, not the published one: that is the graph it walks.
      const definition = await loadJourneyDefinition(
        connection,
        workspaceId,
        run.journeyId,
        run.version,
      );
      if (definition && reactsToProfileChanges(definition)) listening.push(run);
    }
    if (listening.length === 0) return { enrolled: 0, signalled: 0 };
    // Written before the change: a run woken before the change is visible would re-check the old profile.
    const rev = await contactRevision(connection, workspaceId, contactId);
    if (
      rev !== undefined &&
      trigger.contactRev !== undefined &&
      rev < trigger.contactRev &&
      (trigger.attempts ?? 0) < (this.options.membershipRechecks ?? MEMBERSHIP_RECHECKS)
    )
      throw new NotVisibleYet(`profile change of '${contactId}' (revision ${trigger.contactRev})`);
    let signalled = 0;
    for (const run of listening) {
      try {
        await this.options.client.workflow
          .getHandle(run.workflowId)
          .signal(JOURNEY_SIGNALS.profileChanged);
        signalled += 1;
      } catch (error) {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      }
    }
    return { enrolled: 0, signalled };
  }

  /** History (an import, a backdated timestamp) folds into profiles but starts no run, unless asked. */
  private isLiveEnough(
    trigger: JourneyTriggerDoc,
    spec: { maxEventAge?: Duration | undefined },
  ): boolean {
    // Triggers written before receivedAt was kept: the time they were written is within the fold's lag of it.
    const receivedAt = trigger.receivedAt ?? new Date(trigger.createdAt).getTime();
    const live = eventStartsJourney(spec, {
      timestamp: trigger.at,
      receivedAt,
      ...(trigger.startsJourneys !== undefined ? { startsJourneys: trigger.startsJourneys } : {}),
    });
    if (!live)
      this.options.log?.debug?.(
        { trigger: trigger._id, ageMs: receivedAt - trigger.at },
        'historical event: starts no journey',
      );
    return live;
  }
}

/** The revision a segment entry starts the run with: the trigger's own, else the stored membership's. */
function entrySegment(
  trigger: JourneyTriggerDoc,
  membership: SegmentMembershipState | null | undefined,
): { segment?: { segmentId: string; rev: number } } {
  if (trigger.kind !== 'segmentEntered' || trigger.segmentId === undefined) return {};
  const rev = trigger.segmentRev ?? membership?.rev;
  return rev === undefined ? {} : { segment: { segmentId: trigger.segmentId, rev } };
}

/**
 * Runs passes until stopped: immediately again while there is work or a wake-up came during the pass,
 * otherwise at the next wake-up, or after `intervalMs` (the safety net when a wake-up is lost or a trigger
 * was written by a process that sends none). Triggers written through this process's connection wake it.
 */
export function startJourneyDispatcher(options: DispatcherOptions & { intervalMs?: number }): {
  dispatcher: JourneyDispatcher;
  /** Starts a pass now (or right after the current one): a writer in another process stored triggers. */
  wake(): void;
  stop(): Promise<void>;
} {
  const dispatcher = new JourneyDispatcher(options);
  let stopped = false;
  let woken = false;
  let resume: (() => void) | undefined;
  const wake = () => {
    woken = true;
    resume?.();
  };
  const unsubscribe = onJourneyTriggersQueued(options.db.connection, wake);
  const loop = (async () => {
    while (!stopped) {
      woken = false;
      let busy = false;
      try {
        const report = await dispatcher.dispatchOnce();
        busy = report.processed > 0;
      } catch (error) {
        options.log?.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'journey dispatcher pass failed',
        );
      }
      if (!busy && !woken && !stopped) {
        // A trigger due for a retry sooner than the poll (a membership write landing) brings the pass forward.
        const retry = dispatcher.nextRetryAt();
        const interval = options.intervalMs ?? 500;
        const wait = retry === undefined ? interval : Math.min(interval, retry - Date.now());
        await new Promise<void>((resolve) => {
          resume = resolve;
          setTimeout(resolve, Math.max(0, wait)).unref();
        });
        resume = undefined;
      }
    }
  })();
  return {
    dispatcher,
    wake,
    async stop() {
      stopped = true;
      unsubscribe();
      resume?.();
      await loop;
    },
  };
}
