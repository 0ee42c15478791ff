'use client';
// The member's state across the window: leader / up / down / no data, as one strip, with the
// cluster events that concern it as ticks. A few DOM nodes (run-length segments), not one per poll.
import { useMemo } from 'react';
import { formatClock } from '@/lib/format';
import { useHydrated } from '@/lib/client/hooks';
import type { ClusterEvent, Frame } from '@/lib/types';
import { EVENT_KIND, MUTED } from '../styles';
import { statusSegments, type StripState } from './model';

const TONE: Record<StripState, { cls: string; label: string }> = {
  leader: { cls: 'bg-violet-500 dark:bg-violet-400', label: 'leader' },
  up: { cls: 'bg-emerald-500 dark:bg-emerald-500', label: 'up' },
  down: {
    cls: 'bg-red-600 dark:bg-red-500 bg-[repeating-linear-gradient(45deg,transparent_0_4px,rgba(255,255,255,.35)_4px_7px)]',
    label: 'down',
  },
  nodata: { cls: 'bg-slate-200 dark:bg-slate-700', label: 'no data' },
};

export function StatusStrip({
  frames,
  index,
  from,
  to,
  pollIntervalMs,
  events,
}: {
  frames: readonly Frame[];
  index: number;
  from: number;
  to: number;
  pollIntervalMs: number;
  events: readonly ClusterEvent[];
}) {
  const hydrated = useHydrated();
  const segs = useMemo(
    () => statusSegments(frames, index, from, to, pollIntervalMs),
    [frames, index, from, to, pollIntervalMs],
  );
  const span = Math.max(1, to - from);
  const pct = (t: number) => `${(((t - from) / span) * 100).toFixed(3)}%`;
  const totals = useMemo(() => {
    const m: Record<StripState, number> = { leader: 0, up: 0, down: 0, nodata: 0 };
    for (const s of segs) m[s.state] += s.to - s.from;
    return m;
  }, [segs]);
  const downMs = totals.down;
  return (
    <div
      data-testid="status-strip"
      data-down-ms={Math.round(downMs)}
      data-segments={segs.map((s) => s.state).join(',')}
    >
      <div
        className="relative h-7 w-full overflow-hidden rounded-md"
        role="img"
        aria-label={`state over the window: ${segs.map((s) => TONE[s.state].label).join(', ')}`}
      >
        {segs.map((s, i) => (
          <div
            key={i}
            data-state={s.state}
            title={
              hydrated ? `${TONE[s.state].label}: ${formatClock(s.from)} – ${formatClock(s.to)}` : TONE[s.state].label
            }
            className={`absolute inset-y-0 ${TONE[s.state].cls}`}
            style={{ left: pct(s.from), width: `${(((s.to - s.from) / span) * 100).toFixed(3)}%` }}
          />
        ))}
        {events.map((e, i) => (
          <div
            key={`e${i}`}
            className="absolute inset-y-0 w-0.5 bg-slate-950 dark:bg-white"
            style={{ left: pct(e.t) }}
            title={`${EVENT_KIND[e.kind].label}: ${e.detail}`}
            data-testid="strip-event"
          />
        ))}
      </div>
      <div className={`mt-1 flex flex-wrap justify-between gap-x-4 text-xs ${MUTED}`}>
        <span className="tabular-nums">{hydrated ? formatClock(from) : ''}</span>
        <span className="flex flex-wrap gap-x-3">
          {(Object.keys(TONE) as StripState[]).map((k) => (
            <span key={k} className="inline-flex items-center gap-1">
              <span className={`inline-block h-2.5 w-3 rounded-sm ${TONE[k].cls}`} /> {TONE[k].label}
              {totals[k] > 0 && <b className="tabular-nums">{Math.round(totals[k] / 1000)} s</b>}
            </span>
          ))}
          <span className="inline-flex items-center gap-1">
            <span className="inline-block h-2.5 w-0.5 bg-slate-950 dark:bg-white" /> event
          </span>
        </span>
        <span className="tabular-nums">{hydrated ? formatClock(to) : ''}</span>
      </div>
    </div>
  );
}
