'use client';
// A snapshot: the same ClusterView the live page uses, fed the frozen state (it can't tell),
// with a read-only banner, the frozen log excerpts and drill-down links into the members.
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useState } from 'react';
import { useHydrated, useViewInUrl } from '@/lib/client/hooks';
import type { ViewParams } from '@/lib/client/viewParams';
import type { SnapshotRecord } from '@/lib/store/types';
import type { ClusterEvent, Finding } from '@/lib/types';
import { ClusterView } from '../ClusterView';
import { MemberStatusBadge } from '../Badges';
import { CARD, MUTED } from '../styles';
import { LogExcerpts } from './LogExcerpts';
import { SnapshotBanner } from './SnapshotBanner';

export interface SnapshotViewProps {
  record: SnapshotRecord;
  initialView: ViewParams;
  liveExists: boolean;
}

export function SnapshotView({ record, initialView, liveExists }: SnapshotViewProps) {
  const hydrated = useHydrated();
  const router = useRouter();
  const [view, onViewChange] = useViewInUrl(initialView);
  const [selected, setSelected] = useState<{ endpoint: string; t: number } | null>(null);
  const base = `/s/${record.id}`;
  const memberHref = useCallback((name: string) => `${base}/members/${encodeURIComponent(name)}`, [base]);
  // Drill-down stays inside the snapshot: the frozen member page, never the live one.
  const nameOf = useCallback(
    (ep: string) => record.state.members.find((m) => m.endpoint === ep || m.name === ep)?.name ?? null,
    [record.state.members],
  );
  const onCellClick = useCallback(
    (endpoint: string, t: number) => {
      setSelected({ endpoint, t });
      const name = nameOf(endpoint);
      if (name) router.push(memberHref(name));
    },
    [router, nameOf, memberHref],
  );
  const onEventClick = useCallback(
    (e: ClusterEvent) => {
      const name = e.member ? nameOf(e.member) : null;
      if (name) router.push(memberHref(name));
    },
    [router, nameOf, memberHref],
  );
  const findingHref = useCallback(
    (f: Finding) => {
      const name = f.members[0] ? nameOf(f.members[0]) : null;
      return name ? memberHref(name) : null;
    },
    [nameOf, memberHref],
  );

  return (
    <div className="space-y-4 2xl:space-y-5" data-testid="snapshot-view" data-snapshot-id={record.id}>
      <SnapshotBanner
        record={record}
        shareUrl={hydrated ? `${window.location.origin}${base}` : null}
        liveExists={liveExists}
      />
      <ClusterView
        state={record.state}
        view={view}
        onViewChange={onViewChange}
        live={null}
        end={record.window.to}
        selected={selected}
        onCellClick={onCellClick}
        onEventClick={onEventClick}
        findingHref={findingHref}
      />
      <section className={`${CARD} p-4 2xl:p-5`} data-testid="snapshot-members-nav">
        <h2 className="mb-2 text-lg font-bold 2xl:text-xl">Member drill-down</h2>
        <ul className="flex flex-wrap gap-2">
          {record.state.members.map((m) => (
            <li key={m.endpoint}>
              <Link
                href={memberHref(m.name)}
                prefetch={false}
                data-testid={`snapshot-member-link-${m.name}`}
                className="inline-flex items-center gap-2 rounded-md border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
              >
                {m.name} <MemberStatusBadge status={m.status} />
              </Link>
            </li>
          ))}
        </ul>
      </section>
      <section className={`${CARD} p-4 2xl:p-5`} data-testid="log-excerpts-section">
        <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
          <h2 className="text-lg font-bold 2xl:text-xl">Log excerpts ({record.logs.lineCount})</h2>
          <span className={`text-sm ${MUTED}`}>
            around each finding’s start, and the signal lines and warnings in the window
          </span>
        </div>
        <LogExcerpts logs={record.logs} memberHref={memberHref} />
      </section>
    </div>
  );
}
