import Link from 'next/link';
import type { ClusterSummary } from '@/lib/types';
import { ClusterStatusBadge } from './Badges';
import { ScoreNumber } from './ScoreNumber';
import { Ago } from './Time';
import { CARD, MUTED } from './styles';

/** One cluster on the overview: status, members, leader, headline score, findings. */
export function ClusterCard({ summary, now }: { summary: ClusterSummary; now: number | null }) {
  const s = summary;
  const href = `/clusters/${encodeURIComponent(s.name)}`;
  const allUp = s.membersUp === s.members;
  return (
    <Link
      href={href}
      prefetch={false}
      data-testid="cluster-card"
      data-cluster={s.name}
      data-status={s.status}
      className={`${CARD} group block p-5 transition hover:border-slate-400 hover:shadow-md focus-visible:outline-2 focus-visible:outline-sky-500 dark:hover:border-slate-600`}
    >
      <div className="flex items-start justify-between gap-3">
        <h2 className="truncate text-xl font-bold group-hover:underline 2xl:text-2xl" title={s.name}>
          {s.name}
        </h2>
        <ClusterStatusBadge status={s.status} />
      </div>
      <div className="mt-4 flex items-end justify-between gap-4">
        <div>
          <div className={`text-xs font-semibold uppercase tracking-wide ${MUTED}`}>Request imbalance</div>
          <div className="mt-1">
            <ScoreNumber score={s.score} size="md" testId="cluster-score" />
          </div>
        </div>
        <div className="text-right">
          <div className={`text-xs font-semibold uppercase tracking-wide ${MUTED}`}>Findings</div>
          <div
            className={`mt-1 text-3xl font-bold tabular-nums ${s.findings > 0 ? 'text-amber-700 dark:text-amber-400' : 'text-slate-400 dark:text-slate-500'}`}
            data-testid="cluster-findings"
          >
            {s.findings}
          </div>
        </div>
      </div>
      <dl className="mt-4 grid grid-cols-3 gap-2 border-t border-slate-100 pt-3 text-sm dark:border-slate-800">
        <div>
          <dt className={MUTED}>Members up</dt>
          <dd
            className={`font-semibold tabular-nums ${allUp ? '' : 'text-red-700 dark:text-red-400'}`}
            data-testid="cluster-members"
          >
            {allUp ? '' : '✕ '}
            {s.membersUp}/{s.members}
          </dd>
        </div>
        <div className="min-w-0">
          <dt className={MUTED}>Leader</dt>
          <dd className="truncate font-semibold" title={s.leader ?? 'no leader'}>
            {s.leader ? `♛ ${s.leader}` : <span className="text-red-700 dark:text-red-400">none</span>}
          </dd>
        </div>
        <div>
          <dt className={MUTED}>Updated</dt>
          <dd className="font-semibold">
            <Ago t={s.updatedAt} now={now} />
          </dd>
        </div>
      </dl>
    </Link>
  );
}
