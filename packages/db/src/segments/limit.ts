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
