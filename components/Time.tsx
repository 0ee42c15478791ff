'use client';
import { formatAge, formatClock, formatDateTime } from '@/lib/format';
import { useHydrated } from '@/lib/client/hooks';

/**
 * A local wall-clock time. Rendered after hydration only: the server doesn't know the
 * viewer's time zone, and a mismatch would either flash or stick.
 */
export function Clock({ t, seconds = true, full = false }: { t: number | null; seconds?: boolean; full?: boolean }) {
  const hydrated = useHydrated();
  if (t === null) return <span>—</span>;
  return (
    <time
      dateTime={new Date(t).toISOString()}
      title={hydrated ? formatDateTime(t) : undefined}
      className="tabular-nums"
    >
      {hydrated ? (full ? formatDateTime(t) : formatClock(t, seconds)) : '\u00a0'}
    </time>
  );
}

/** "42 s ago" relative to `now` (null now, e.g. before hydration: nothing). */
export function Ago({ t, now }: { t: number | null; now: number | null }) {
  if (t === null) return <span>never</span>;
  if (now === null) return <span>&nbsp;</span>;
  return <span className="tabular-nums">{formatAge(now - t)} ago</span>;
}
