import type { Connection } from 'mongoose';
import type { CairnEvent } from '@cairn/core';
import { createFoldQueue, type FoldQueue, type FoldQueueOptions } from './fold-queue.js';
import { storeEvents } from './ingest/append.js';
import { foldStoredEvents, ingestEvents } from './ingest/fold.js';
import { foldPendingEvents } from './ingest/pending.js';
import type { IngestOptions, IngestReport, StoredEvents } from './ingest/shared.js';

/**
 * Ingestion, wired in one place. Every event, however it arrives (`/v1/*`, an import, a tracked open or
 * click, a journey step's event, the demo seed), goes through the same five stages:
 *
 * 1. **validate**: `normalizeEvent` / `validateBatchPayload` in `@cairn/core` (pure). The API runs it before
 *    `accept`, so a refusal names its field before anything is stored.
 * 2. **append**: `storeEvents` (ingest/append.ts): one bulk insert into the event log, duplicates refused by the
 *    `(workspace, messageId)` key, identities resolved, one pending-fold marker per request. `accept`
 *    resolves here: this is what a 200 promises.
 * 3. **fold**: `foldStoredEvents` (ingest/fold.ts): per contact, `foldEvents` from `@cairn/core` (pure) over its
 *    unfolded events in timestamp order, pages of contacts read and written in bulk, one guarded write each.
 * 4. **evaluate**: in the same write, `evaluateMemberships` from `@cairn/core` (pure given the profile);
 *    a contact folded on its own (a lost race, a merge chain) goes through `reevaluateContact`, the same path
 *    trait updates and the time-window sweep take.
 * 5. **outbox**: journey triggers (`enqueueJourneyTriggers`) written before the state they announce, so a
 *    crash in between re-announces with the same ids; the worker's dispatcher starts and signals runs.
 *
 * A process that dies between 2 and 5 leaves its markers; `foldPending` (the worker's sweeper) finishes them.
 * Callers with no fold queue of their own (the CLI, the worker's actions, tracking) call `ingestEvents`, which
 * is `ingest` below.
 */
export interface Ingestion {
  /** Stage 2 alone: the events are durable (and will be folded, by this process or the sweeper). */
  append(workspaceId: string, events: CairnEvent[], options?: IngestOptions): Promise<StoredEvents>;
  /** Stage 2 now, stages 3–5 just behind (this process's fold queue); with `waitForFold`, after them. */
  accept(
    workspaceId: string,
    events: CairnEvent[],
    options: { now: number; waitForFold?: boolean },
  ): Promise<StoredEvents>;
  /** Stages 2–5 in the caller's turn (the CLI, the worker's own events, imports window by window). */
  ingest(workspaceId: string, events: CairnEvent[], options?: IngestOptions): Promise<IngestReport>;
  /** Stages 3–5 for events appended earlier (an import folds each window it stored). */
  fold(
    stored: StoredEvents,
    options?: Parameters<typeof foldStoredEvents>[2],
  ): Promise<IngestReport>;
  /** Folds what a process that died appended and never folded (markers past their time). */
  foldPending(options?: Parameters<typeof foldPendingEvents>[1]): Promise<number>;
  /** This process's queue of folds behind acknowledged requests: its backlog is the fold lag. */
  readonly folds: FoldQueue;
}

export function createIngestion(connection: Connection, options: FoldQueueOptions = {}): Ingestion {
  const folds = createFoldQueue(connection, options);
  return {
    folds,
    async accept(workspaceId, events, { now, waitForFold }) {
      const stored = await storeEvents(connection, workspaceId, events, { now });
      await folds.enqueue(stored);
      if (waitForFold) await folds.folded(stored);
      return stored;
    },
    append: (workspaceId, events, appendOptions) =>
      storeEvents(connection, workspaceId, events, appendOptions),
    ingest: (workspaceId, events, ingestOptions) =>
      ingestEvents(connection, workspaceId, events, ingestOptions),
    fold: (stored, foldOptions) => foldStoredEvents(connection, stored, foldOptions),
    foldPending: (pendingOptions) => foldPendingEvents(connection, pendingOptions),
  };
}
