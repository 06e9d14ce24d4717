/** Runs `fn` over items with at most `concurrency` in flight (the database is shared; don't flood it). */
export async function forEachWithLimit<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
}

/**
 * Runs an upsert, retrying when a concurrent upsert of the same `_id` won the insert (E11000): the retry
 * then finds the document and updates it. Both MongoDB and FerretDB raise this race.
 */
export async function upsertRacing<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (attempt >= 3 || (error as { code?: number }).code !== 11000) throw error;
    }
  }
}

/** Maps with at most `concurrency` calls in flight; results keep the input order. */
export async function mapWithLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachWithLimit(items, concurrency, async (item, index) => {
    out[index] = await fn(item, index);
  });
  return out;
}
