/**
 * Write coalescing for hot documents: while a write to a key is in flight, later writes to the same key
 * merge into one pending delta, written next in a single update; every caller resolves (or fails) with the
 * write that carried its part. Many concurrent requests touching the same few documents (the event catalog)
 * then cost one update per document per round instead of one each, and nothing is counted twice or lost.
 */
export interface Coalescer<D> {
  apply(key: string, delta: D): Promise<void>;
  /** Resolves once nothing is pending or in flight (a process about to close its connection waits for it). */
  settled(): Promise<void>;
}

interface Pending<D> {
  delta: D;
  done: Promise<void>;
  settle(error?: unknown): void;
}

export function createCoalescer<D>(
  merge: (into: D, next: D) => void,
  write: (key: string, delta: D) => Promise<void>,
): Coalescer<D> {
  const lanes = new Map<string, { next?: Pending<D> }>();
  const running = new Set<Promise<void>>();

  async function run(key: string, lane: { next?: Pending<D> }): Promise<void> {
    while (lane.next) {
      const pending = lane.next;
      lane.next = undefined;
      try {
        await write(key, pending.delta);
        pending.settle();
      } catch (error) {
        pending.settle(error ?? new Error('write failed'));
      }
    }
    lanes.delete(key);
  }

  return {
    apply(key, delta) {
      const lane = lanes.get(key);
      if (lane?.next) {
        merge(lane.next.delta, delta);
        return lane.next.done;
      }
      let settle!: (error?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => {
        settle = (error) => (error === undefined ? resolve() : reject(error));
      });
      const pending: Pending<D> = { delta, done, settle };
      if (lane) {
        // A write is in flight: this delta goes with the next one.
        lane.next = pending;
      } else {
        const fresh = { next: pending };
        lanes.set(key, fresh);
        const lap = run(key, fresh).finally(() => running.delete(lap));
        running.add(lap);
      }
      return done;
    },
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

/**
 * The same for many keys written together: while one batch is in flight, the deltas of any key gather
 * (merged per key) into the next batch, written in one call when the first ends; the deltas of callers in
 * the same tick share a batch. Every caller resolves (or fails) with the batch that carried its delta.
 */
export function createBatchCoalescer<D>(
  merge: (into: D, next: D) => void,
  writeMany: (deltas: Map<string, D>) => Promise<void>,
): Coalescer<D> {
  let next: (Pending<Map<string, D>> & { deltas: Map<string, D> }) | undefined;
  let running = false;
  let inFlight: Promise<void> | undefined;

  async function run(): Promise<void> {
    while (next) {
      const batch = next;
      next = undefined;
      inFlight = batch.done;
      try {
        await writeMany(batch.deltas);
        batch.settle();
      } catch (error) {
        batch.settle(error ?? new Error('write failed'));
      }
    }
    running = false;
  }

  return {
    apply(key, delta) {
      if (!next) {
        let settle!: (error?: unknown) => void;
        const done = new Promise<void>((resolve, reject) => {
          settle = (error) => (error === undefined ? resolve() : reject(error));
        });
        const deltas = new Map<string, D>();
        next = { delta: deltas, deltas, done, settle };
      }
      const pending = next.deltas.get(key);
      if (pending === undefined) next.deltas.set(key, delta);
      else merge(pending, delta);
      if (!running) {
        running = true;
        queueMicrotask(() => void run());
      }
      return next.done;
    },
    async settled() {
      while (running) await (next?.done ?? inFlight)?.catch(() => undefined);
    },
  };
}
