/** Runs `fn` over items with at most `concurrency` in flight (the database is shared; don't flood it). */
export async function forEachWithLimit<T>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  });
  await Promise.all(lanes);
}

/** Maps with at most `concurrency` calls in flight; results keep the input order. */
export async function mapWithLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  await forEachWithLimit(items, concurrency, async (item, index) => {
    out[index] = await fn(item, index);
  });
  return out;
}
