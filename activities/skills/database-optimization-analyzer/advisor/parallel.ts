// Work spread over the planning sessions.

/** `fn` over the items, at most `n` at a time; `worker` (0..n-1) says which session runs an item. */
export async function inParallel<T>(items: T[], n: number, fn: (item: T, worker: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async (_, w) => {
      while (next < items.length) {
        const item = items[next++];
        await fn(item, w);
      }
    }),
  );
}
