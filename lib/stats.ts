// Small numeric helpers (views, detectors, benchmarks). Pure.

/** Median of the finite values (nulls ignored); null when there are none. */
export function median(values: ReadonlyArray<number | null | undefined>): number | null {
  const xs: number[] = [];
  for (const v of values) if (v !== null && v !== undefined && Number.isFinite(v)) xs.push(v);
  if (xs.length === 0) return null;
  xs.sort((a, b) => a - b);
  const mid = xs.length >> 1;
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** The q-quantile (0..1) of the finite values, nearest rank; null when there are none. */
export function quantile(values: ReadonlyArray<number | null | undefined>, q: number): number | null {
  const xs: number[] = [];
  for (const v of values) if (v !== null && v !== undefined && Number.isFinite(v)) xs.push(v);
  if (xs.length === 0) return null;
  xs.sort((a, b) => a - b);
  return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))];
}

/** Index of the first element with `key(x) >= t` in an array sorted by key (length when none). */
export function lowerBound<T>(arr: ReadonlyArray<T>, t: number, key: (x: T) => number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(arr[mid]) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : Math.min(x, hi);
}
