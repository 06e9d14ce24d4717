import type { Connection } from 'mongoose';
import { DUE_BUCKET_MS, dueBucketStart, watchDueFilings } from './due.js';
import { sweepDueContacts, type SweepOptions, type SweepResult } from './sweep.js';

export interface DueSchedulerOptions {
  /**
   * Longest sleep between sweeps. Another process's filings are not announced here, so this bounds how late
   * this process learns of an instant filed elsewhere (not the flip's lag when any process sweeps in time).
   */
  maxSleepMs?: number;
  /** Sleep after a failed sweep (the database may be down). */
  retryMs?: number;
  log?: { info(o: object, m?: string): void; warn(o: object, m?: string): void };
  onSweep?: (result: SweepResult) => void;
  onFlip?: SweepOptions['onFlip'];
}

export interface DueScheduler {
  /** The instant the scheduler will next sweep at. */
  readonly nextWakeAt: number;
  stop(): Promise<void>;
}

const DEFAULT_MAX_SLEEP_MS = 10_000;

/**
 * Sweeps the due list at the earliest due instant instead of on a fixed interval: it sleeps until the
 * `nextDueAt` the last sweep reported, the next due day (a bucket it has not read yet), or `maxSleepMs`,
 * whichever comes first, and wakes early when this process files an earlier instant. Any number of
 * processes may run one: a sweep evaluates each contact at its own due instant, so two sweeps of one
 * contact write the same ids and the contact's rev-guarded state only once.
 */
export function startDueScheduler(
  connection: Connection,
  options: DueSchedulerOptions = {},
): DueScheduler {
  const maxSleep = options.maxSleepMs ?? DEFAULT_MAX_SLEEP_MS;
  let stopped = false;
  let nextWakeAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  // A filing that lands while a sweep runs: the sweep may have read the bucket before it.
  let filedDuringSweep: number | null = null;
  let sweeping = false;

  const unwatch = watchDueFilings((at) => {
    if (sweeping) filedDuringSweep = Math.min(filedDuringSweep ?? at, at);
    else if (at < nextWakeAt) arm(at);
  });

  function arm(at: number): void {
    nextWakeAt = at;
    if (timer) clearTimeout(timer);
    // Timers fire up to a few ms early on some platforms; a sweep a hair before its instant would find nothing due.
    timer = setTimeout(() => wake?.(), Math.max(0, at - Date.now() + 2));
    timer.unref();
  }

  const loop = (async () => {
    while (!stopped) {
      let sleepUntil: number;
      sweeping = true;
      filedDuringSweep = null;
      try {
        const now = Date.now();
        const result = await sweepDueContacts(connection, {
          now,
          ...(options.onFlip ? { onFlip: options.onFlip } : {}),
        });
        options.onSweep?.(result);
        const nextDay = dueBucketStart(now) + DUE_BUCKET_MS;
        sleepUntil = Math.min(result.nextDueAt ?? Infinity, nextDay, Date.now() + maxSleep);
      } catch (error) {
        options.log?.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'due-list sweep failed; retrying',
        );
        sleepUntil = Date.now() + (options.retryMs ?? 1_000);
      }
      sweeping = false;
      if (filedDuringSweep !== null) sleepUntil = Math.min(sleepUntil, filedDuringSweep);
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        arm(sleepUntil);
      });
    }
  })();

  return {
    get nextWakeAt() {
      return nextWakeAt;
    },
    async stop() {
      stopped = true;
      unwatch();
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}
