import type { ClusterEvent } from '@/lib/types';
import { EVENT_KIND } from './styles';
import { Clock } from './Time';

/** Recent events, newest first. */
export function EventList({ events, limit = 50 }: { events: readonly ClusterEvent[]; limit?: number }) {
  const list = [...events].sort((a, b) => b.t - a.t).slice(0, limit);
  return (
    <div data-testid="event-list">
      {list.length === 0 ? (
        <p className="text-sm text-slate-500 dark:text-slate-400">
          No events: no leader change, member down/up, restart or alarm since Fulcrum started watching.
        </p>
      ) : (
        <ol className="max-h-96 space-y-1 overflow-y-auto pr-1 text-sm">
          {list.map((e, i) => {
            const k = EVENT_KIND[e.kind];
            return (
              <li
                key={`${e.t}-${i}`}
                data-testid="event-item"
                data-kind={e.kind}
                className="flex gap-3 border-b border-slate-100 py-1 last:border-0 dark:border-slate-800"
              >
                <span className="w-16 shrink-0 tabular-nums text-slate-500 dark:text-slate-400">
                  <Clock t={e.t} />
                </span>
                <span className={`w-32 shrink-0 font-semibold ${k.text}`}>
                  <span aria-hidden>{k.icon}</span> {k.label}
                </span>
                <span className="min-w-0 break-words">{e.detail}</span>
              </li>
            );
          })}
        </ol>
      )}
      {events.length > limit && (
        <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          showing the newest {limit} of {events.length}
        </p>
      )}
    </div>
  );
}
