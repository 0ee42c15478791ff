'use client';
// One member inside a snapshot, from the frozen data only: its row of the member table, its
// numbers over the window, the findings and events about it, and its log excerpts.
import Link from 'next/link';
import { useMemo } from 'react';
import { DIMENSION_LIST } from '@/lib/dimensions';
import { checkedList } from '@/lib/client/describe';
import { formatPercent, formatValue } from '@/lib/client/format';
import { useHydrated } from '@/lib/client/hooks';
import { memberWindowStats, upRatio } from '@/lib/snapshots/view';
import type { SnapshotRecord } from '@/lib/store/types';
import { MemberStatusBadge } from '../Badges';
import { EventList } from '../EventList';
import { FindingsPanel } from '../FindingsPanel';
import { MemberTable } from '../MemberTable';
import { CARD, MUTED } from '../styles';
import { LogExcerpts } from './LogExcerpts';
import { SnapshotBanner } from './SnapshotBanner';

function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <section className={`${CARD} p-4 2xl:p-5`} data-testid={testId}>
      <h2 className="mb-3 text-lg font-bold 2xl:text-xl">{title}</h2>
      {children}
    </section>
  );
}

export function SnapshotMemberView({ record, endpoint, liveExists }: { record: SnapshotRecord; endpoint: string; liveExists: boolean }) {
  const hydrated = useHydrated();
  const s = record.state;
  const index = s.members.findIndex((m) => m.endpoint === endpoint);
  const m = s.members[index];
  const stats = useMemo(() => memberWindowStats(s.frames, index), [s.frames, index]);
  const up = useMemo(() => upRatio(s.frames, index), [s.frames, index]);
  const findings = s.findings.filter((f) => f.members.length === 0 || f.members.includes(m.endpoint) || f.members.includes(m.name));
  const events = s.events.filter((e) => e.member === null || e.member === m.endpoint || e.member === m.name);
  const checked = useMemo(() => checkedList(s), [s]);
  const base = `/s/${record.id}`;

  return (
    <div className="space-y-4 2xl:space-y-5" data-testid="snapshot-member-view" data-member={m.name}>
      <SnapshotBanner record={record} shareUrl={hydrated ? `${window.location.origin}${base}/members/${encodeURIComponent(m.name)}` : null} liveExists={liveExists} />
      <main className="space-y-4 2xl:space-y-5">
        <header className="space-y-1">
          <Link href={base} className="text-sm font-semibold text-sky-700 underline dark:text-sky-400" data-testid="snapshot-back">
            ← {s.name} snapshot
          </Link>
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-3xl font-bold tracking-tight" data-testid="member-name">
              {m.name}
            </h1>
            <MemberStatusBadge status={m.status} />
            {m.isLeader && <span className="font-semibold text-violet-700 dark:text-violet-300">♛ leader</span>}
          </div>
          <p className={`text-sm ${MUTED}`}>
            <span className="font-mono">{m.endpoint}</span> · up in {up.up} of {up.total} columns of the window · weight {m.weight}
          </p>
        </header>
        <Section title="Status at the snapshot" testId="member-status-section">
          <MemberTable members={[m]} dim="requests" />
        </Section>
        <Section title="Over the window" testId="member-window-stats">
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead className={`text-left text-xs uppercase tracking-wide ${MUTED}`}>
                <tr>
                  <th className="py-1 pr-3 font-semibold">Dimension</th>
                  <th className="py-1 pr-3 text-right font-semibold">Median</th>
                  <th className="py-1 pr-3 text-right font-semibold">Peak</th>
                  <th className="py-1 pr-3 text-right font-semibold">Share (median)</th>
                  <th className="py-1 pr-3 text-right font-semibold">Expected</th>
                  <th className="py-1 text-right font-semibold">Columns</th>
                </tr>
              </thead>
              <tbody>
                {stats.map((st) => {
                  const spec = DIMENSION_LIST.find((d) => d.id === st.dim)!;
                  return (
                    <tr key={st.dim} className="border-t border-slate-100 dark:border-slate-800" data-testid={`member-stat-${st.dim}`}>
                      <td className="py-1 pr-3">{spec.label}</td>
                      <td className="py-1 pr-3 text-right tabular-nums">{formatValue(st.median, spec.unit)}</td>
                      <td className="py-1 pr-3 text-right tabular-nums">{formatValue(st.max, spec.unit)}</td>
                      <td className="py-1 pr-3 text-right tabular-nums">{spec.scored ? formatPercent(st.shareMedian) : '—'}</td>
                      <td className="py-1 pr-3 text-right tabular-nums">{spec.scored ? formatPercent(st.expectedMedian) : '—'}</td>
                      <td className="py-1 text-right tabular-nums">{st.samples}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Section>
        <div className="grid gap-4 xl:grid-cols-2">
          <Section title={`Findings about ${m.name} (${findings.length})`} testId="member-findings">
            <FindingsPanel findings={findings} members={s.members} checked={checked} healthy={m.status === 'up'} />
          </Section>
          <Section title="Events" testId="member-events">
            <EventList events={events} />
          </Section>
        </div>
        <Section title="Log excerpts" testId="log-excerpts-section">
          <LogExcerpts logs={record.logs} only={m.endpoint} />
        </Section>
      </main>
    </div>
  );
}
