'use client';
// One member over one time window, rendered from a state-like object: its status across the
// window, its numbers against its peers, the findings active then, and its log lines and the
// balancer's. The live page fetches these; a snapshot can pass frozen ones (frames, findings,
// log lines) and no handlers: the view never knows which.
import Link from 'next/link';
import { useMemo } from 'react';
import { formatAge, formatClock, formatDateTime } from '@/lib/format';
import { useHydrated } from '@/lib/client/hooks';
import type { ClusterEvent, Finding, Frame, MemberState } from '@/lib/types';
import { MemberStatusBadge } from '../Badges';
import { CopyButton } from '../CopyButton';
import { EventList } from '../EventList';
import { FindingCard } from '../FindingCard';
import { CARD, MUTED, SEVERITY } from '../styles';
import { LogPanel, MemberCharts } from '../lazy';
import type { LogPanelProps } from './LogPanel';
import { eventsInWindow, findingsInWindow } from './model';
import { StatusStrip } from './StatusStrip';
import { Section } from '../Section';

export interface MemberViewProps {
  cluster: { name: string; members: MemberState[]; pollIntervalMs: number; events: readonly ClusterEvent[] };
  /** Endpoint URL of the member. */
  member: string;
  frames: readonly Frame[];
  from: number;
  to: number;
  /** The cluster's findings; the view keeps those about this member, raised before the window ends. */
  findings: readonly Finding[];
  logs: LogPanelProps;
  /** Where the frames came from, or why there are none. */
  framesInfo?: { loading: boolean; source: 'memory' | 'prometheus' | null; error: string | null } | null;
  /** Live: move or resize the window. Absent for a frozen snapshot. */
  onWindowChange?: (from: number, to: number) => void;
  /** A span to shade on the charts (the clicked moment). */
  mark?: { from: number; to: number } | null;
  /** Link back to the cluster page. */
  backHref?: string;
  /** Findings seen while the page was open that are no longer open: id → when last seen. */
  resolved?: ReadonlyMap<string, number>;
  /** Where a finding's drill-down link goes (a snapshot keeps it inside the snapshot); default: the live member page. */
  findingHref?: (f: Finding) => string | null;
}

const BTN =
  'rounded-md border border-slate-300 bg-white px-2.5 py-1 text-sm font-semibold text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700';

function WindowControls({
  from,
  to,
  onChange,
}: {
  from: number;
  to: number;
  onChange: (from: number, to: number) => void;
}) {
  const span = to - from;
  const mid = from + span / 2;
  const zoom = (f: number) => {
    const half = Math.min(12 * 3600_000, Math.max(30_000, (span * f) / 2));
    onChange(Math.round(mid - half), Math.round(mid + half));
  };
  return (
    <div className="flex flex-wrap items-center gap-1.5" data-testid="window-controls">
      <button
        type="button"
        className={BTN}
        onClick={() => onChange(from - span / 2, to - span / 2)}
        title="move the window back by half its length"
      >
        ◀ earlier
      </button>
      <button type="button" className={BTN} onClick={() => zoom(0.5)} title="half as long, same middle">
        zoom in
      </button>
      <button type="button" className={BTN} onClick={() => zoom(2)} title="twice as long, same middle">
        zoom out
      </button>
      <button
        type="button"
        className={BTN}
        onClick={() => onChange(from + span / 2, to + span / 2)}
        title="move the window forward by half its length"
      >
        later ▶
      </button>
    </div>
  );
}

export function MemberView({
  cluster,
  member,
  frames,
  from,
  to,
  findings,
  logs,
  framesInfo,
  onWindowChange,
  mark,
  backHref,
  resolved,
  findingHref,
}: MemberViewProps) {
  const hydrated = useHydrated();
  const index = cluster.members.findIndex((m) => m.endpoint === member);
  const m = cluster.members[index];
  // This member's own findings first, then by severity, newest first.
  const active = useMemo(() => {
    if (!m) return [];
    const rank = { critical: 0, warning: 1, info: 2 } as const;
    const own = (f: Finding) =>
      (f.members.includes(m.endpoint) || f.members.includes(m.name)) && f.members.length === 1;
    return findingsInWindow(findings, m, from, to).sort(
      (a, b) => Number(own(b)) - Number(own(a)) || rank[a.severity] - rank[b.severity] || b.since - a.since,
    );
  }, [findings, m, from, to]);
  const events = useMemo(() => (m ? eventsInWindow(cluster.events, m, from, to) : []), [cluster.events, m, from, to]);
  if (!m) {
    return (
      <main className={`${CARD} p-6`} data-testid="member-view-missing">
        <p>
          No member {member} in cluster {cluster.name}.
        </p>
      </main>
    );
  }
  return (
    <main
      className="space-y-4 2xl:space-y-5"
      data-testid="member-view"
      data-member={m.name}
      data-endpoint={m.endpoint}
      data-from={from}
      data-to={to}
    >
      <header className="space-y-2">
        <Link
          href={backHref ?? `/clusters/${encodeURIComponent(cluster.name)}`}
          className="text-sm font-semibold text-sky-700 underline dark:text-sky-400"
          data-testid="member-back"
        >
          ← {cluster.name}
        </Link>
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-3xl font-bold tracking-tight" data-testid="member-name">
            {m.name}
          </h1>
          <MemberStatusBadge status={m.status} />
          {m.isLeader && <span className="font-semibold text-violet-700 dark:text-violet-300">♛ leader now</span>}
          <span className={`font-mono text-sm ${MUTED}`}>{m.endpoint}</span>
        </div>
        <div className="flex flex-wrap items-center justify-between gap-3">
          <p className="text-base" data-testid="member-window">
            <span className="font-semibold tabular-nums">{hydrated ? formatDateTime(from) : '\u00a0'}</span> →{' '}
            <span className="font-semibold tabular-nums">{hydrated ? formatDateTime(to) : '\u00a0'}</span>{' '}
            <span className={MUTED}>({formatAge(to - from)})</span>
          </p>
          <div className="flex flex-wrap items-center gap-2">
            {onWindowChange && <WindowControls from={from} to={to} onChange={onWindowChange} />}
            {hydrated && <CopyButton text={window.location.href} label="Copy link" testId="copy-link" />}
          </div>
        </div>
      </header>

      <Section
        title="Status over the window"
        right="from the polls (and Prometheus for older windows)"
        testId="member-status-section"
      >
        {framesInfo?.error && (
          <p
            className="mb-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-500/40 dark:bg-amber-500/10 dark:text-amber-200"
            role="alert"
            data-testid="frames-error"
          >
            Metrics for this window: {framesInfo.error}
          </p>
        )}
        {framesInfo?.loading && frames.length === 0 ? (
          <p className={`text-sm ${MUTED}`}>loading the window…</p>
        ) : (
          <StatusStrip
            frames={frames}
            index={index}
            from={from}
            to={to}
            pollIntervalMs={cluster.pollIntervalMs}
            events={events}
          />
        )}
      </Section>

      <Section
        title={
          <>
            Load and latency{' '}
            <span className={`text-base font-normal ${MUTED}`}>{m.name} against the other members</span>
          </>
        }
        right={
          framesInfo?.source === 'prometheus'
            ? 'from Prometheus (older than the in-memory history)'
            : framesInfo?.source === 'memory'
              ? 'from the polls'
              : undefined
        }
        testId="member-charts-section"
      >
        <MemberCharts
          frames={frames}
          members={cluster.members}
          index={index}
          from={from}
          to={to}
          pollIntervalMs={cluster.pollIntervalMs}
          mark={mark}
        />
      </Section>

      <Section
        title={`Findings active in the window (${active.length})`}
        right="raised before the window ends: open now, or seen open since this page was loaded"
        testId="member-findings-section"
      >
        {active.length === 0 ? (
          <p className={`text-sm ${MUTED}`} data-testid="member-no-findings">
            No open finding about {m.name} that started before the end of this window.
          </p>
        ) : (
          <div className="space-y-3" data-testid="member-findings">
            {active.map((f, i) => {
              const gone = resolved?.get(f.id);
              return (
                <details
                  key={f.id}
                  open={(i === 0 && f.severity !== 'info') || (f.severity === 'critical' && gone === undefined)}
                  data-testid="member-finding"
                  data-kind={f.kind}
                  data-resolved={gone !== undefined ? '1' : '0'}
                  className="group"
                >
                  <summary className="cursor-pointer list-none text-sm group-open:mb-1.5">
                    <span className="group-open:hidden">
                      <span
                        className={`mr-2 inline-flex items-center gap-1 rounded-md px-1.5 py-0.5 text-xs font-semibold uppercase ring-1 ring-inset ${SEVERITY[f.severity].badge}`}
                      >
                        <span aria-hidden>{SEVERITY[f.severity].icon}</span> {SEVERITY[f.severity].label}
                      </span>
                      <b>{f.title}</b>
                      <span className={`ml-2 ${MUTED}`}>evidence and fixes ▸</span>
                    </span>
                    <span className={`hidden group-open:inline ${MUTED}`}>▾ hide</span>
                    {gone !== undefined && (
                      <span className="ml-2 font-semibold text-emerald-700 dark:text-emerald-400">
                        ✓ resolved, last seen open at {hydrated ? formatClock(gone) : ''}
                      </span>
                    )}
                  </summary>
                  <FindingCard
                    finding={f}
                    members={cluster.members}
                    drillDownHref={findingHref ? findingHref(f) : undefined}
                  />
                </details>
              );
            })}
          </div>
        )}
      </Section>

      <Section
        title={
          <>
            Logs{' '}
            <span className={`text-base font-normal ${MUTED}`}>
              {m.name} and the balancer’s lines about it, newest first
            </span>
          </>
        }
        testId="member-logs-section"
      >
        <LogPanel {...logs} from={from} to={to} />
      </Section>

      <Section title="Events in the window" right="newest first" testId="member-events-section">
        <EventList events={events} />
      </Section>
    </main>
  );
}
