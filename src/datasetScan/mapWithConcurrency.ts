/**
 * Runs `work` on every item with at most `limit` calls in flight and keeps the input order.
 * The bound matters: libuv's small thread pool is shared with the whole extension host, and
 * queueing 100,000 stat calls at once would starve every other extension's file access.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
