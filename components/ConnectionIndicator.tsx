import { formatAge } from '@/lib/formatTime';
import type { Connection } from '@/lib/client/useClusterStream';

export interface LiveInfo {
  connection: Connection;
  lastMessageAt: number | null;
  error: string | null;
}

const TONE: Record<Connection | 'snapshot', { icon: string; cls: string; label: string }> = {
  live: {
    icon: '●',
    label: 'Live',
    cls: 'text-emerald-700 ring-emerald-600/30 bg-emerald-50 dark:bg-emerald-500/10 dark:text-emerald-300 dark:ring-emerald-400/30',
  },
  stale: {
    icon: '▲',
    label: 'Stale',
    cls: 'text-amber-800 ring-amber-600/40 bg-amber-50 dark:bg-amber-500/10 dark:text-amber-300 dark:ring-amber-400/40',
  },
  offline: {
    icon: '↻',
    label: 'Reconnecting…',
    cls: 'text-red-800 ring-red-600/40 bg-red-50 dark:bg-red-500/10 dark:text-red-300 dark:ring-red-400/40',
  },
  connecting: {
    icon: '…',
    label: 'Connecting…',
    cls: 'text-slate-700 ring-slate-500/30 bg-slate-50 dark:bg-slate-500/10 dark:text-slate-300 dark:ring-slate-400/30',
  },
  snapshot: {
    icon: '❄',
    label: 'Snapshot',
    cls: 'text-sky-800 ring-sky-600/30 bg-sky-50 dark:bg-sky-500/10 dark:text-sky-300 dark:ring-sky-400/30',
  },
};

/**
 * Live / stale ("data is N s old") / reconnecting, or "snapshot" for a frozen state.
 * `ageMs` is how old the newest data is (null before hydration).
 */
export function ConnectionIndicator({ live, ageMs }: { live: LiveInfo | null; ageMs: number | null }) {
  const key = live ? live.connection : 'snapshot';
  const t = TONE[key];
  const showAge = key === 'stale' || key === 'offline';
  return (
    <span
      data-testid="connection-indicator"
      data-state={key}
      role="status"
      className={`inline-flex items-center gap-1.5 rounded-full px-3 py-1 text-sm font-semibold ring-1 ring-inset ${t.cls}`}
      title={live?.error ?? undefined}
    >
      <span aria-hidden className={key === 'live' ? 'animate-pulse' : ''}>
        {t.icon}
      </span>
      {t.label}
      {showAge && ageMs !== null && <span className="font-normal">· data is {formatAge(ageMs)} old</span>}
    </span>
  );
}
