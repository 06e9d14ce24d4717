import { createBatchCoalescer, createCoalescer } from './coalesce';

describe('write coalescing', () => {
  it('writes at once when idle, merges what arrives meanwhile into one next write, and loses no delta', async () => {
    const writes: [string, number][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const c = createCoalescer<{ n: number }>(
      (into, next) => (into.n += next.n),
      async (key, delta) => {
        writes.push([key, delta.n]);
        if (writes.length === 1) await first;
      },
    );
    const a = c.apply('k', { n: 1 });
    const b = c.apply('k', { n: 2 });
    const d = c.apply('k', { n: 3 });
    const other = c.apply('j', { n: 10 });
    release();
    await Promise.all([a, b, d, other]);
    expect(writes).toEqual([
      ['k', 1],
      ['j', 10],
      ['k', 5],
    ]);
  });

  it('fails every caller whose delta rode on a failed write, and goes on with the next', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = createCoalescer<{ n: number }>(
      (into, next) => (into.n += next.n),
      async (_key, delta) => {
        calls++;
        if (calls === 1) await gate;
        if (calls === 2) throw new Error(`refused ${delta.n}`);
      },
    );
    const a = c.apply('k', { n: 1 });
    const b = c.apply('k', { n: 2 });
    const d = c.apply('k', { n: 3 });
    release();
    await expect(a).resolves.toBeUndefined();
    await expect(b).rejects.toThrow('refused 5');
    await expect(d).rejects.toThrow('refused 5');
    await expect(c.apply('k', { n: 4 })).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });
});

describe('batched write coalescing', () => {
  it('writes the keys of one tick together, gathers what arrives meanwhile into the next batch, loses nothing', async () => {
    const batches: [string, number][][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const c = createBatchCoalescer<{ n: number }>(
      (into, next) => (into.n += next.n),
      async (deltas) => {
        batches.push([...deltas].map(([key, d]) => [key, d.n]));
        if (batches.length === 1) await first;
      },
    );
    const firstTick = [c.apply('a', { n: 1 }), c.apply('b', { n: 2 })];
    await Promise.resolve();
    const meanwhile = [c.apply('a', { n: 3 }), c.apply('c', { n: 4 }), c.apply('a', { n: 5 })];
    release();
    await Promise.all([...firstTick, ...meanwhile]);
    expect(batches).toEqual([
      [
        ['a', 1],
        ['b', 2],
      ],
      [
        ['a', 8],
        ['c', 4],
      ],
    ]);
  });

  it('fails the callers of a failed batch only', async () => {
    let calls = 0;
    const c = createBatchCoalescer<{ n: number }>(
      (into, next) => (into.n += next.n),
      async () => {
        calls += 1;
        if (calls === 1) throw new Error('engine away');
      },
    );
    await expect(c.apply('a', { n: 1 })).rejects.toThrow('engine away');
    await expect(c.apply('a', { n: 1 })).resolves.toBeUndefined();
  });

  it('says when everything it was handed is written, so a closing process loses no fire-and-forget write', async () => {
    for (const make of [
      (write: () => Promise<void>) => createCoalescer<number>((_, __) => undefined, write),
      (write: () => Promise<void>) => createBatchCoalescer<number>((_, __) => undefined, write),
    ]) {
      let written = 0;
      const c = make(async () => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        written++;
      });
      await c.settled(); // idle: at once
      void c.apply('a', 1);
      void c.apply('a', 2); // a second write for the same key (the batch: the same one)
      void c.apply('b', 3);
      await c.settled();
      const expected = written;
      expect(expected).toBeGreaterThanOrEqual(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(written).toBe(expected);
    }
  });
});
