import Link from 'next/link';
import type { ExcerptLine, SnapshotLogs } from '@/lib/store/types';
import { Clock } from '../Time';
import { MUTED } from '../styles';

const LEVEL: Record<string, string> = {
  debug: 'text-slate-500 dark:text-slate-400',
  info: 'text-sky-700 dark:text-sky-300',
  warn: 'text-amber-700 dark:text-amber-400',
  error: 'text-red-700 dark:text-red-400',
  fatal: 'text-red-800 dark:text-red-300 font-bold',
};

const REASON: Record<ExcerptLine['reason'], string> = {
  finding: 'border-l-red-500 bg-red-50/60 dark:bg-red-950/30',
  signal: 'border-l-amber-500',
  context: 'border-l-slate-300 dark:border-l-slate-700',
};

function Line({ l }: { l: ExcerptLine }) {
  return (
    <li
      data-testid="excerpt-line"
      data-reason={l.reason}
      className={`grid grid-cols-[5.5rem_3.5rem_minmax(0,1fr)] gap-x-2 border-l-4 py-0.5 pl-2 font-mono text-xs ${REASON[l.reason]}`}
      title={l.raw}
    >
      <span className={`tabular-nums ${MUTED}`}>{l.t === null ? '—' : <Clock t={l.t} />}</span>
      <span className={l.level ? (LEVEL[l.level] ?? '') : MUTED}>
        {l.level ?? (l.source === 'balancer' ? 'lb' : '—')}
      </span>
      <span className="min-w-0 break-words">
        {l.signals.map((s) => (
          <span
            key={s}
            className="mr-1 rounded bg-amber-100 px-1 font-sans font-semibold text-amber-900 dark:bg-amber-500/20 dark:text-amber-200"
          >
            {s}
          </span>
        ))}
        {l.source === 'balancer' && <span className={`mr-1 font-sans ${MUTED}`}>[balancer]</span>}
        <span data-testid="excerpt-msg">{l.msg}</span>
      </span>
    </li>
  );
}

/** The log lines frozen with a snapshot, per member. `memberHref` links a member's drill-down. */
export function LogExcerpts({ logs, memberHref }: { logs: SnapshotLogs; memberHref?: (name: string) => string }) {
  const members = logs.members;
  if (logs.status !== 'ok') {
    return (
      <p className={`text-sm ${MUTED}`} data-testid="log-excerpts" data-status={logs.status} data-count={0}>
        No log excerpts: {logs.note ?? logs.status}.
      </p>
    );
  }
  const count = members.reduce((n, m) => n + m.lines.length, 0);
  return (
    <div data-testid="log-excerpts" data-status={logs.status} data-count={count} className="space-y-4">
      {members.map((m) => (
        <section key={m.endpoint} data-testid={`excerpt-member-${m.member}`} data-count={m.lines.length}>
          <h3 className="mb-1 flex flex-wrap items-baseline gap-x-2 text-sm font-bold">
            {memberHref ? (
              <Link href={memberHref(m.member)} className="text-sky-700 underline dark:text-sky-400">
                {m.member}
              </Link>
            ) : (
              m.member
            )}
            <span className={`font-normal ${MUTED}`}>
              {m.lines.length} line{m.lines.length === 1 ? '' : 's'}
              {m.truncated ? ' (more matched; the newest and most relevant are kept)' : ''}
            </span>
          </h3>
          {m.errors.length > 0 && (
            <ul className="mb-1 text-xs text-amber-800 dark:text-amber-300">
              {m.errors.map((e, i) => (
                <li key={i}>▲ {e}</li>
              ))}
            </ul>
          )}
          {m.lines.length === 0 ? (
            <p className={`text-sm ${MUTED}`}>No warnings, errors or signal lines in the window.</p>
          ) : (
            <ol className="max-h-96 space-y-px overflow-y-auto">
              {m.lines.map((l, i) => (
                <Line key={i} l={l} />
              ))}
            </ol>
          )}
        </section>
      ))}
    </div>
  );
}
