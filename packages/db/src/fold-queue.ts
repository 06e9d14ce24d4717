import type { Connection } from 'mongoose';
import { foldStoredEvents } from './ingest/fold.js';
import { combineStored, type StoredEvents } from './ingest/shared.js';
import { markerEventCount, pendingFoldModel } from './models/event.js';
import { traced } from './fold-trace.js';

/**
 * Append, then fold: an ingestion request answers once its events are durably in the event log (with their
 * pending-fold markers), and hands them to this queue. One fold pass runs at a time per process and takes
 * everything that arrived meanwhile, so a contact with events in many requests is read and written once per
 * pass, not once per request. If the process dies, the markers remain and the worker's pending-fold sweeper
 * folds them (ingest/pending.ts: foldPendingEvents), so nothing acknowledged is lost.
 */
export interface FoldQueue {
  /** Queues appended events for folding; waits only while the queue is over its limit (back-pressure). */
  enqueue(stored: StoredEvents): Promise<void>;
  /** Resolves once every event queued before the call is folded; rejects if its fold pass failed. */
  folded(stored: StoredEvents): Promise<void>;
  /** Events queued here and not folded yet, and the age of the oldest (0 when none). */
  backlog(now?: number): { events: number; oldestAgeMs: number };
  /** Folds what is queued, then stops taking work. */
  close(): Promise<void>;
}

export interface FoldQueueOptions {
  /** Past this many queued events, enqueue waits for a pass to finish (default 50,000). */
  maxQueuedEvents?: number;
  log?: { warn(o: object, m?: string): void };
}

interface Waiter {
  stored: StoredEvents;
  queuedAt: number;
  done: Promise<void>;
  settle(error?: unknown): void;
}

export function createFoldQueue(connection: Connection, options: FoldQueueOptions = {}): FoldQueue {
  const maxQueued = options.maxQueuedEvents ?? 50_000;
  let queue: Waiter[] = [];
  let inFlight: Waiter[] = [];
  let queuedEvents = 0;
  let running: Promise<void> | undefined;
  let closed = false;
  const byStored = new WeakMap<StoredEvents, Waiter>();
  const roomWaiters: (() => void)[] = [];

  async function pass(batch: Waiter[]): Promise<void> {
    const byWorkspace = new Map<string, Waiter[]>();
    for (const w of batch)
      byWorkspace.set(w.stored.workspaceId, [...(byWorkspace.get(w.stored.workspaceId) ?? []), w]);
    for (const waiters of byWorkspace.values()) {
      // combineStored mutates its first argument: start from an empty copy so callers' objects stay as they were.
      const first = waiters[0] as Waiter;
      const combined: StoredEvents = {
        ...first.stored,
        byContact: new Map(),
        merges: new Map(),
        markerIds: [],
        stored: 0,
        duplicates: 0,
        events: 0,
      };
      for (const w of waiters) combineStored(combined, w.stored);
      try {
        await traced('pass', combined.events, () =>
          foldStoredEvents(connection, combined, { now: Date.now() }),
        );
        for (const w of waiters) w.settle();
      } catch (error) {
        // The markers stay, so the pending-fold sweeper folds these later; the next pass goes on with others.
        options.log?.warn(
          {
            err: error instanceof Error ? error.message : String(error),
            workspaceId: first.stored.workspaceId,
            events: combined.events,
          },
          'fold pass failed; the pending-fold sweeper will retry',
        );
        for (const w of waiters) w.settle(error);
      }
    }
  }

  function drain(): void {
    if (running || queue.length === 0) return;
    const batch = queue;
    queue = [];
    inFlight = batch;
    running = pass(batch).finally(() => {
      queuedEvents -= batch.reduce((n, w) => n + w.stored.events, 0);
      inFlight = [];
      running = undefined;
      while (queuedEvents < maxQueued && roomWaiters.length) roomWaiters.shift()?.();
      drain();
    });
  }

  return {
    async enqueue(stored) {
      if (closed) throw new Error('the fold queue is closed');
      // A request of duplicates only (a client's retry) has nothing to fold: the request that stored them does.
      if (stored.stored === 0 && stored.merges.size === 0) return;
      let settle!: (error?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = (error) =>
          error === undefined
            ? resolve()
            : reject(error instanceof Error ? error : new Error(String(error)));
      });
      // Nobody may be waiting on `done`; an unobserved failure is already logged above.
      done.catch(() => undefined);
      const waiter: Waiter = { stored, queuedAt: Date.now(), done, settle };
      byStored.set(stored, waiter);
      queue.push(waiter);
      queuedEvents += stored.events;
      drain();
      while (queuedEvents > maxQueued && running)
        await new Promise<void>((resolve) => roomWaiters.push(resolve));
    },
    async folded(stored) {
      await byStored.get(stored)?.done;
    },
    backlog(now = Date.now()) {
      const oldest = inFlight[0]?.queuedAt ?? queue[0]?.queuedAt;
      return {
        events: queuedEvents,
        oldestAgeMs: oldest === undefined ? 0 : Math.max(0, now - oldest),
      };
    },
    async close() {
      closed = true;
      while (running || queue.length) {
        drain();
        await running;
      }
    },
  };
}

/**
 * How far folding is behind, across every process: the events listed by the pending-fold markers still in
 * the log (one marker per request not folded yet) and the age of the oldest, for one workspace or all.
 * Markers are deleted as folds finish, so the collection stays small and this read is cheap even where the
 * engine scans.
 */
export async function foldLag(
  connection: Connection,
  options: { workspaceId?: string; now?: number } = {},
): Promise<{ pendingEvents: number; oldestAgeMs: number; parkedEvents: number }> {
  const { parked: _parked, ...lag } = await foldState(connection, options);
  return lag;
}

/** foldLag and, from the same single read of the markers, the parked folds (newest first). */
export async function foldState(
  connection: Connection,
  options: { workspaceId?: string; now?: number } = {},
): Promise<{
  pendingEvents: number;
  oldestAgeMs: number;
  parkedEvents: number;
  parked: ParkedFold[];
}> {
  const filter = options.workspaceId ? { workspaceId: options.workspaceId } : {};
  const markers = await pendingFoldModel(connection)
    .find(filter, { createdAt: 1, count: 1, ids: 1, messageIds: 1, parked: 1 })
    .lean();
  const now = options.now ?? Date.now();
  let pendingEvents = 0;
  let parkedEvents = 0;
  let oldest = Infinity;
  for (const m of markers) {
    const events = markerEventCount(m);
    // A parked marker waits for an operator, not for folding: it is reported apart and does not age the lag.
    if (m.parked) {
      parkedEvents += events;
      continue;
    }
    pendingEvents += events;
    oldest = Math.min(oldest, new Date(m.createdAt).getTime());
  }
  return {
    pendingEvents,
    parkedEvents,
    oldestAgeMs: Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0,
    parked: parkedOf(markers),
  };
}

export interface ParkedFold {
  id: string;
  parkedAt: string;
  reason: string;
  contactIds: string[];
  events: number;
}

function parkedOf(
  markers: {
    _id: string;
    ids?: string;
    count?: number;
    messageIds?: string[];
    parked?: { at: Date; reason: string; contactIds: string[] };
  }[],
): ParkedFold[] {
  return markers
    .filter((m) => m.parked)
    .map((m) => ({
      id: m._id,
      parkedAt: new Date(m.parked!.at).toISOString(),
      reason: m.parked!.reason,
      contactIds: m.parked!.contactIds,
      events: markerEventCount(m),
    }))
    .sort((a, b) => (a.parkedAt < b.parkedAt ? 1 : -1));
}

/** Folds set aside because some contact's events could not be folded, with the reason (newest first). */
export async function parkedFolds(
  connection: Connection,
  workspaceId: string,
): Promise<ParkedFold[]> {
  return (await foldState(connection, { workspaceId })).parked;
}

/** Hands parked folds back to the sweeper (after a fix); contacts already folded from them skip them. Returns how many. */
export async function retryParkedFolds(
  connection: Connection,
  workspaceId?: string,
): Promise<number> {
  const Markers = pendingFoldModel(connection);
  const parked = (
    await Markers.find(workspaceId ? { workspaceId } : {}, { parked: 1 }).lean()
  ).filter((m) => m.parked);
  for (const m of parked)
    await Markers.updateOne(
      { _id: m._id },
      { $unset: { parked: 1 }, $set: { foldAfter: new Date() } },
    );
  return parked.length;
}
