// Finishes folds that a crashed ingest left half done (the API killed between storing an event and
// folding it): without this loop such an event would stay stored but missing from its profile.
import { foldPendingEvents, retryParkedFolds, type Database } from '@cairn/db';

export interface PendingFoldSweeperOptions {
  db: Database;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  intervalMs?: number;
}

/** Runs foldPendingEvents at once and then every `intervalMs` until stopped. */
export function startPendingFoldSweeper(options: PendingFoldSweeperOptions): {
  stop(): Promise<void>;
} {
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    // A new worker may carry the fix for what made a fold fail: parked folds get another chance at each start.
    await retryParkedFolds(options.db.connection)
      .then(
        (n) => n && options.log?.info({ retried: n }, 'parked folds handed back to the sweeper'),
      )
      .catch(() => undefined);
    while (!stopped) {
      try {
        // Each marker says from when it counts as abandoned (foldAfter: 30 s for live ingestion, longer
        // for an import that folds per window), so an ingest still in progress is left alone.
        const folded = await foldPendingEvents(options.db.connection);
        if (folded)
          options.log?.info({ folded }, 'folded events left pending by an interrupted ingest');
      } catch (error) {
        // The database may be down; the next pass tries again.
        options.log?.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'pending-fold pass failed',
        );
      }
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.intervalMs ?? 15_000).unref();
      });
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
