/**
 * A bounded history as an immutable array: `items` plus `item`, keeping the newest `capacity`.
 * Never changes `items` (the engine's state is a value: advance returns a new one).
 */
export function pushCapped<T>(items: readonly T[], item: T, capacity: number): T[] {
  if (!(capacity >= 1)) throw new Error(`capacity must be >= 1, got ${capacity}`);
  const keep = Math.min(items.length, capacity - 1);
  const out = items.slice(items.length - keep);
  out.push(item);
  return out;
}

/** `pushCapped` for several items, oldest first. */
export function pushAllCapped<T>(items: readonly T[], added: readonly T[], capacity: number): T[] {
  if (!(capacity >= 1)) throw new Error(`capacity must be >= 1, got ${capacity}`);
  const all = [...items, ...added];
  return all.length > capacity ? all.slice(all.length - capacity) : all;
}
