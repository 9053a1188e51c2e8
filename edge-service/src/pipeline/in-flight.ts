/**
 * Runs `work` on each item with at most `limit` in flight, calling `done` in input order as soon as
 * each result (or error) and all before it are in. Items are pulled lazily, so a 50-page job holds
 * at most `limit` pages being converted plus results that are waiting for an earlier page.
 */
export async function forEachInFlight<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  done: (
    outcome: { ok: true; value: R } | { ok: false; error: unknown },
    index: number,
  ) => void | Promise<void>,
): Promise<void> {
  const outcomes = new Map<number, { ok: true; value: R } | { ok: false; error: unknown }>();
  let next = 0;
  let delivered = 0;
  let delivering = Promise.resolve();
  const deliver = async (): Promise<void> => {
    while (outcomes.has(delivered)) {
      const outcome = outcomes.get(delivered) as { ok: true; value: R } | { ok: false; error: unknown };
      outcomes.delete(delivered);
      await done(outcome, delivered);
      delivered++;
    }
  };
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        outcomes.set(index, { ok: true, value: await work(items[index] as T, index) });
      } catch (error) {
        outcomes.set(index, { ok: false, error });
      }
      delivering = delivering.then(deliver);
      await delivering;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  await delivering;
}
