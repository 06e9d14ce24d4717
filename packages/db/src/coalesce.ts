/**
 * Write coalescing for hot documents: while a write to a key is in flight, later writes to the same key
 * merge into one pending delta, written next in a single update; every caller resolves (or fails) with the
 * write that carried its part. Many concurrent requests touching the same few documents (the event catalog)
 * then cost one update per document per round instead of one each, and nothing is counted twice or lost.
 */
export interface Coalescer<D> {
  apply(key: string, delta: D): Promise<void>;
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
        void run(key, fresh);
      }
      return done;
    },
  };
}
