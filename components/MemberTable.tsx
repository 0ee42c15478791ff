'use client';
// The members as `etcdctl endpoint status -w table` shows them, plus health, the balancer's view
// of each member (status, check, weight, sessions) next to etcd's, and, for the selected
// dimension, each member's value, share and expected share. A row opens to all its health
// signals and its balancer server in full.
import { Fragment, useState } from 'react';
import { DIMENSIONS } from '@/lib/dimensions';
import {
  endpointHost,
  formatAge,
  formatBytes,
  formatPercent,
  formatPp,
  formatValue,
  memberIdHex,
  ppDelta,
} from '@/lib/format';
import { isLive } from '@/lib/analysis/live';
import { median } from '@/lib/stats';
import {
  checkKind,
  checkStatusText,
  disagreement,
  serverErrors,
  serverOf,
  serverTone,
  sessionsText,
  signalAlerts,
  clientLatencyLines,
  signalRows,
  weightChanged,
  type ServerTone,
  type SignalGroup,
} from '@/lib/client/signals';
import type { BalancerServer, BalancerState, DimensionId, MemberState } from '@/lib/types';
import { MemberStatusBadge } from './Badges';
import { DELTA_TEXT, deltaTone } from './styles';

export interface MemberTableProps {
  members: readonly MemberState[];
  dim: DimensionId;
  /** Endpoint of the member to highlight (e.g. the clicked heatmap row). */
  highlighted?: string | null;
  /** For "last seen N s ago" on down members; null hides it. */
  now?: number | null;
  /** The balancer's view of the members (HAProxy stats), shown next to etcd's. */
  balancer?: BalancerState | null;
}

const SERVER_TONE: Record<ServerTone, string> = {
  up: 'bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-500/15 dark:text-emerald-300 dark:ring-emerald-400/30',
  down: 'bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-500/15 dark:text-red-300 dark:ring-red-400/30',
  maint:
    'bg-slate-200 text-slate-800 ring-slate-500/30 dark:bg-slate-500/20 dark:text-slate-200 dark:ring-slate-400/30',
  other:
    'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-500/15 dark:text-amber-300 dark:ring-amber-400/30',
};
const SERVER_ICON: Record<ServerTone, string> = { up: '▲', down: '▼', maint: '■', other: '?' };

const BALANCER_NAME: Record<BalancerState['type'], string> = { haproxy: 'HAProxy', nginx: 'NGINX' };

const GROUP_LABEL: Record<SignalGroup, string> = {
  disk: 'Disk',
  network: 'Network',
  raft: 'Raft',
  requests: 'Requests',
};

const TH = 'px-1.5 py-2 text-left font-semibold whitespace-nowrap';
const TD = 'px-1.5 py-2 align-top whitespace-nowrap';

function ShareBar({ share, expected }: { share: number | null; expected: number | null }) {
  if (share === null) return null;
  return (
    <span className="relative mt-1 block h-1.5 w-20 ml-auto rounded-full bg-slate-200 dark:bg-slate-700" aria-hidden>
      <span
        className="absolute inset-y-0 left-0 rounded-full bg-sky-600 dark:bg-sky-400"
        style={{ width: `${Math.min(100, share * 100)}%` }}
      />
      {expected !== null && (
        <span
          className="absolute -inset-y-0.5 w-0.5 bg-slate-900 dark:bg-white"
          style={{ left: `${Math.min(100, expected * 100)}%` }}
        />
      )}
    </span>
  );
}

export function MemberTable({ members, dim, highlighted, now = null, balancer = null }: MemberTableProps) {
  const spec = DIMENSIONS[dim];
  const latency = spec.kind === 'latency';
  const [open, setOpen] = useState<ReadonlySet<string>>(() => new Set());
  const toggle = (ep: string) =>
    setOpen((s) => {
      const n = new Set(s);
      if (n.has(ep)) n.delete(ep);
      else n.add(ep);
      return n;
    });
  const allOpen = members.length > 0 && members.every((m) => open.has(m.endpoint));
  const columns = 9 + (latency ? 0 : 2) + (balancer ? 1 : 0);
  const lbName = balancer ? BALANCER_NAME[balancer.type] : null;
  return (
    <div className="overflow-x-auto">
      <div className="mb-2 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-500 dark:text-slate-400">
        <BalancerLine balancer={balancer} />
        <button
          type="button"
          data-testid="member-details-all"
          aria-expanded={allOpen}
          onClick={() => setOpen(allOpen ? new Set() : new Set(members.map((m) => m.endpoint)))}
          className="rounded-md border border-slate-300 bg-white px-2 py-0.5 font-semibold text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700"
        >
          {allOpen ? '▾ Hide all signals' : '▸ Show all signals'}
        </button>
      </div>
      <table className="w-full border-collapse text-sm 2xl:text-base" data-testid="member-table">
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-700 dark:text-slate-400">
          <tr>
            <th className={TH}>Status</th>
            {balancer && (
              <th
                className={TH}
                title={`${lbName} backend ${balancer.backend}: what the balancer thinks of each member`}
              >
                {lbName} says
              </th>
            )}
            <th className={TH}>Name / endpoint / ID</th>
            <th className={TH} title="etcdctl: IS LEADER / IS LEARNER, VERSION">
              Role / version
            </th>
            <th className={TH}>DB size / in use</th>
            <th className={`${TH} text-right`} title="raft term; raft index / applied index">
              Raft
            </th>
            <th className={`${TH} border-l border-slate-200 dark:border-slate-700`}>{spec.label}</th>
            <th className={`${TH} text-right`}>{latency ? 'vs median' : 'Share'}</th>
            {!latency && <th className={`${TH} text-right`}>Expected</th>}
            {!latency && <th className={`${TH} text-right`}>Δ</th>}
            <th
              className="border-l border-slate-200 px-1.5 py-2 text-left font-semibold dark:border-slate-700"
              title="health signals past their default thresholds (open a row for all of them)"
            >
              Signals
            </th>
            <th className="border-l border-slate-200 px-1.5 py-2 text-left font-semibold dark:border-slate-700">
              Errors / alarms
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => {
            const server = serverOf(balancer, m);
            const isOpen = open.has(m.endpoint);
            return (
              <Fragment key={m.endpoint}>
                <MemberRow
                  m={m}
                  dim={dim}
                  members={members}
                  highlighted={highlighted === m.endpoint}
                  now={now}
                  balancer={balancer}
                  server={server}
                  open={isOpen}
                  onToggle={() => toggle(m.endpoint)}
                />
                {isOpen && <MemberDetail m={m} server={server} balancer={balancer} columns={columns} />}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {open.size > 0 && (
        <p className="mt-2 text-xs text-slate-500 dark:text-slate-400">
          ▲ past the default threshold (the findings use the cluster’s configured ones) · p99s over the diagnosis
          window, counters over the last minute
        </p>
      )}
    </div>
  );
}

function medianValue(members: readonly MemberState[], dim: DimensionId): number | null {
  return median(members.filter(isLive).map((m) => m.dims[dim].value));
}

function MemberRow({
  m,
  dim,
  members,
  highlighted,
  now,
  balancer,
  server,
  open,
  onToggle,
}: {
  m: MemberState;
  dim: DimensionId;
  members: readonly MemberState[];
  highlighted: boolean;
  now: number | null;
  balancer: BalancerState | null;
  server: BalancerServer | null;
  open: boolean;
  onToggle: () => void;
}) {
  const spec = DIMENSIONS[dim];
  const latency = spec.kind === 'latency';
  const d = m.dims[dim];
  const down = m.status === 'down';
  const hex = memberIdHex(m.id);
  const pp = ppDelta(d.share, d.expectedShare);
  const med = latency ? medianValue(members, dim) : null;
  const vsMedian = latency && d.value !== null && med ? d.value / med : null;
  const quotaPct = m.dbSizeBytes !== null && m.quotaBackendBytes ? m.dbSizeBytes / m.quotaBackendBytes : null;
  const problems = [...m.alarms.map((a) => `alarm ${a}`), ...m.errors];
  const alerts = signalAlerts(m.signals);
  const rowTone = down
    ? 'text-slate-400 dark:text-slate-500 bg-slate-50 dark:bg-slate-900/60'
    : highlighted
      ? 'bg-sky-50 dark:bg-sky-950/40'
      : '';
  return (
    <tr
      data-testid={`member-row-${m.name}`}
      data-endpoint={m.endpoint}
      data-status={m.status}
      data-leader={m.isLeader ? 'true' : 'false'}
      className={`border-b border-slate-100 last:border-0 dark:border-slate-800 ${rowTone} ${highlighted ? 'outline-2 -outline-offset-2 outline-sky-500' : ''}`}
    >
      <td
        className={`px-1.5 py-2 align-top ${down ? 'hatched' : ''}`}
        data-testid="member-status"
        data-status={m.status}
      >
        <MemberStatusBadge status={m.status} />
        {m.source === 'prometheus' && (
          <div className="mt-1 text-xs text-slate-500 dark:text-slate-400">via Prometheus</div>
        )}
        {down && now !== null && m.lastSeen !== null && (
          <div className="mt-1 inline-block rounded bg-white/90 px-1 text-xs text-slate-700 dark:bg-slate-900/90 dark:text-slate-300">
            last seen {formatAge(now - m.lastSeen)} ago
          </div>
        )}
      </td>
      {balancer && <BalancerCell m={m} server={server} balancer={balancer} />}
      <td className={TD}>
        <button
          type="button"
          onClick={onToggle}
          aria-expanded={open}
          data-testid="member-details-toggle"
          title={open ? 'hide health signals' : 'show every health signal and the balancer server'}
          className="flex items-center gap-1 font-semibold hover:underline"
        >
          <span aria-hidden className="inline-block w-3 text-slate-500 dark:text-slate-400">
            {open ? '▾' : '▸'}
          </span>
          {m.name}
        </button>
        <div
          className="font-mono text-xs text-slate-500 dark:text-slate-400"
          title={m.endpoint}
          data-testid="member-endpoint"
        >
          {endpointHost(m.endpoint)}
        </div>
        <div
          className="font-mono text-xs text-slate-500 dark:text-slate-400"
          title={m.id ? `member ID, decimal ${m.id}` : undefined}
          data-member-id={m.id ?? ''}
        >
          {hex ?? m.id ?? '—'}
        </div>
      </td>
      <td
        className={TD}
        data-testid="member-role"
        data-is-leader={m.isLeader ? 'true' : 'false'}
        data-is-learner={m.isLearner ? 'true' : 'false'}
      >
        {m.isLeader ? (
          <span className="font-semibold text-violet-700 dark:text-violet-300">♛ leader</span>
        ) : m.isLearner ? (
          <span className="font-semibold">learner</span>
        ) : m.id === null ? (
          '—'
        ) : (
          'follower'
        )}
        <div className="text-xs text-slate-500 dark:text-slate-400" data-testid="member-version">
          {m.version ?? '—'}
        </div>
      </td>
      <td className={`${TD} tabular-nums`}>
        {formatBytes(m.dbSizeBytes)}{' '}
        <span className="text-slate-500 dark:text-slate-400">/ {formatBytes(m.dbSizeInUseBytes)}</span>
        {quotaPct !== null && (
          <div
            className={`text-xs ${quotaPct >= 0.8 ? 'font-semibold text-red-700 dark:text-red-400' : 'text-slate-500 dark:text-slate-400'}`}
            title={`quota ${formatBytes(m.quotaBackendBytes)}`}
          >
            {quotaPct >= 0.8 ? '▲ ' : ''}
            {formatPercent(quotaPct, 0)} of {formatBytes(m.quotaBackendBytes)} quota
          </div>
        )}
      </td>
      <td
        className={`${TD} text-right font-mono text-xs tabular-nums 2xl:text-sm`}
        title="raft term; raft index / applied index"
      >
        <div>term {m.raftTerm ?? '—'}</div>
        <div className="text-slate-500 dark:text-slate-400">
          {m.raftIndex ?? '—'} / {m.raftAppliedIndex ?? '—'}
        </div>
      </td>
      <td
        className={`${TD} border-l border-slate-200 font-semibold tabular-nums dark:border-slate-700`}
        data-testid="member-value"
      >
        {formatValue(d.value, spec.unit)}
      </td>
      {latency ? (
        <td className={`${TD} text-right tabular-nums`}>{vsMedian === null ? '—' : `${vsMedian.toFixed(2)}×`}</td>
      ) : (
        <>
          <td className={`${TD} text-right tabular-nums`} data-testid="member-share">
            {formatPercent(d.share)}
            <ShareBar share={d.share} expected={d.expectedShare} />
          </td>
          <td className={`${TD} text-right tabular-nums`}>{formatPercent(d.expectedShare)}</td>
          <td className={`${TD} text-right tabular-nums ${DELTA_TEXT[deltaTone(pp)]}`} data-testid="member-delta">
            {pp !== null && pp >= 5 ? '▲ ' : pp !== null && pp <= -5 ? '▼ ' : ''}
            {formatPp(d.share, d.expectedShare)}
          </td>
        </>
      )}
      <td
        className="border-l border-slate-200 px-1.5 py-2 align-top text-xs dark:border-slate-700"
        data-testid="member-signals"
        data-alerts={alerts.length}
      >
        {alerts.length === 0 ? (
          <span
            className={down ? '' : 'text-slate-500 dark:text-slate-400'}
            title="no signal past its default threshold"
          >
            {down ? '—' : '✓ ok'}
          </span>
        ) : (
          <ul className="space-y-0.5">
            {alerts.map((a) => (
              <li
                key={a.key}
                className="whitespace-nowrap font-semibold text-amber-800 dark:text-amber-300"
                title={`${a.label}: ${a.value}, threshold ${a.threshold ?? ''}`}
              >
                ▲ {a.short} {a.key === 'hasLeader' ? '' : a.value}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td
        className={`min-w-32 px-1.5 py-2 align-top [overflow-wrap:anywhere] border-l border-slate-200 dark:border-slate-700`}
      >
        {m.error && (
          <div
            className={`line-clamp-3 text-xs ${down ? 'font-semibold text-red-700 dark:text-red-400' : 'text-amber-800 dark:text-amber-300'}`}
            data-testid="member-error"
            title={m.error}
          >
            {m.error}
          </div>
        )}
        {problems.length > 0 && (
          <ul className="text-xs">
            {problems.map((p, i) => (
              <li key={i} className="font-semibold text-red-700 dark:text-red-400">
                ⚑ {p}
              </li>
            ))}
          </ul>
        )}
        {!m.error && problems.length === 0 && <span className="text-slate-400 dark:text-slate-500">none</span>}
      </td>
    </tr>
  );
}

/** The balancer and its health check, above the table. */
function BalancerLine({ balancer }: { balancer: BalancerState | null }) {
  if (!balancer) return <span>no balancer configured: only etcd’s view</span>;
  const c = balancer.check;
  const check = !c
    ? null
    : c.type === 'http'
      ? `HTTP check ${c.method ?? 'GET'} ${c.path ?? '/'}`
      : c.type === 'tcp'
        ? 'TCP (L4) check: the port only'
        : c.type === 'passive'
          ? 'passive checks only (max_fails / fail_timeout on real connections)'
          : c.type === 'none'
            ? 'no health check'
            : 'check type unknown';
  const inters = c ? [...new Set(Object.values(c.interMs))] : [];
  return (
    <span data-testid="balancer-line" data-ok={balancer.ok ? 'true' : 'false'}>
      <b className="text-slate-700 dark:text-slate-200">{BALANCER_NAME[balancer.type]}</b>{' '}
      {balancer.type === 'nginx' ? 'upstream' : 'backend'} <span className="font-mono">{balancer.backend}</span>
      {check && (
        <>
          {' · '}
          <span
            className={
              c?.type === 'tcp' || c?.type === 'none' || c?.type === 'passive'
                ? 'font-semibold text-amber-800 dark:text-amber-300'
                : ''
            }
          >
            {check}
          </span>
          {inters.length > 0 && <> every {inters.map((ms) => `${ms / 1000} s`).join(' / ')}</>}
        </>
      )}
      {!balancer.ok && (
        <span className="font-semibold text-red-700 dark:text-red-400">
          {' '}
          · ✕ unreachable{balancer.error ? `: ${balancer.error}` : ''}
        </span>
      )}
    </span>
  );
}

/** What the balancer says about this member: status, check, weight, sessions; flags a disagreement with etcd. */
function BalancerCell({
  m,
  server,
  balancer,
}: {
  m: MemberState;
  server: BalancerServer | null;
  balancer: BalancerState;
}) {
  if (!server) {
    return (
      <td className={`${TD} text-xs text-slate-500 dark:text-slate-400`} data-testid="member-balancer" data-status="">
        {balancer.ok ? 'no server for this member' : '—'}
      </td>
    );
  }
  const tone = serverTone(server.status);
  const clash = disagreement(m, server, balancer.check);
  const kind = checkKind(server, balancer.check);
  const changed = weightChanged(server);
  const chk = checkStatusText(server);
  return (
    <td
      className={`${TD} text-xs ${clash?.kind === 'still-serving' ? 'bg-red-50 dark:bg-red-950/40' : ''}`}
      data-testid="member-balancer"
      data-status={server.status}
      data-check-layer={server.checkLayer}
      data-weight={server.weight}
      data-disagree={clash?.kind ?? ''}
      title={`${server.name} (${server.address})${server.checkDesc ? `: ${server.checkDesc}` : ''}`}
    >
      <div className="flex items-center gap-1.5">
        <span
          className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-bold ring-1 ring-inset ${SERVER_TONE[tone]}`}
        >
          <span aria-hidden>{SERVER_ICON[tone]}</span>
          {server.status || '?'}
        </span>
        {chk && <span className="font-mono text-slate-600 dark:text-slate-300">{chk}</span>}
      </div>
      <div
        className={`mt-0.5 ${kind.tcpOnly ? 'font-semibold text-amber-800 dark:text-amber-300' : 'text-slate-600 dark:text-slate-300'}`}
        data-testid="member-balancer-check"
        data-tcp-only={kind.tcpOnly ? 'true' : 'false'}
      >
        {kind.label}
      </div>
      <div className="tabular-nums text-slate-600 dark:text-slate-300">
        <span
          className={changed ? 'font-semibold text-amber-800 dark:text-amber-300' : ''}
          title={
            changed ? `runtime weight ${server.weight}, configured ${server.initialWeight}` : `weight ${server.weight}`
          }
        >
          w {server.weight}
          {changed && ` (cfg ${server.initialWeight})`}
        </span>
        {' · '}
        <span title={sessionsText(server, balancer).label}>{sessionsText(server, balancer).short}</span>
      </div>
      {clash && (
        <div
          className={`mt-1 max-w-44 whitespace-normal font-semibold ${clash.kind === 'still-serving' ? 'text-red-700 dark:text-red-400' : 'text-amber-800 dark:text-amber-300'}`}
          data-testid="member-balancer-disagree"
        >
          ⚠ {clash.text}
        </div>
      )}
    </td>
  );
}

/** Every health signal of a member, and its balancer server in full. */
function MemberDetail({
  m,
  server,
  balancer,
  columns,
}: {
  m: MemberState;
  server: BalancerServer | null;
  balancer: BalancerState | null;
  columns: number;
}) {
  const rows = signalRows(m.signals);
  const groups = (['disk', 'network', 'raft', 'requests'] as const).map((g) => ({
    g,
    rows: rows.filter((r) => r.group === g),
  }));
  return (
    <tr
      data-testid={`member-detail-${m.name}`}
      className="border-b border-slate-100 bg-slate-50/70 dark:border-slate-800 dark:bg-slate-950/40"
    >
      <td colSpan={columns} className="px-3 py-3">
        {m.error && (
          <p className="mb-2 text-xs [overflow-wrap:anywhere]">
            <b>Last error:</b> <span className="text-red-700 dark:text-red-400">{m.error}</span>
          </p>
        )}
        <div className="grid gap-x-6 gap-y-3 text-xs sm:grid-cols-2 xl:grid-cols-[repeat(4,minmax(0,1fr))_minmax(17rem,1.3fr)]">
          {groups.map(({ g, rows: rs }) => (
            <section key={g}>
              <h4 className="mb-1 font-bold uppercase tracking-wide text-slate-500 dark:text-slate-400">
                {GROUP_LABEL[g]}
              </h4>
              <dl className="grid grid-cols-[1fr_auto] gap-x-3 gap-y-0.5">
                {rs.map((r) => (
                  <Fragment key={r.key}>
                    <dt
                      className="text-slate-600 dark:text-slate-300"
                      title={r.threshold ? `threshold ${r.threshold}` : undefined}
                    >
                      {r.label}
                    </dt>
                    <dd
                      className={`text-right font-mono tabular-nums ${r.over ? 'font-bold text-amber-800 dark:text-amber-300' : r.known ? '' : 'text-slate-400 dark:text-slate-500'}`}
                      data-signal={r.key}
                      data-over={r.over ? 'true' : 'false'}
                    >
                      {r.over ? '▲ ' : ''}
                      {r.value}
                    </dd>
                  </Fragment>
                ))}
              </dl>
            </section>
          ))}
          <section data-testid="member-detail-balancer">
            <h4 className="mb-1 font-bold uppercase tracking-wide text-slate-500 dark:text-slate-400">
              {balancer ? BALANCER_NAME[balancer.type] : 'Balancer'}
            </h4>
            {!balancer ? (
              <p className="text-slate-500 dark:text-slate-400">none configured</p>
            ) : !server ? (
              <p className="text-slate-500 dark:text-slate-400">no server points at {m.endpoint}</p>
            ) : (
              <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-3 gap-y-0.5">
                <dt className="text-slate-600 dark:text-slate-300">server</dt>
                <dd className="text-right font-mono">
                  {balancer.backend}/{server.name}
                </dd>
                <dt className="text-slate-600 dark:text-slate-300">status</dt>
                <dd className="text-right font-semibold">{server.status}</dd>
                <dt className="text-slate-600 dark:text-slate-300">check</dt>
                <dd className="text-right">
                  {server.checkLayer} {checkStatusText(server) ?? ''}
                </dd>
                {server.checkDesc && (
                  <>
                    <dt className="text-slate-600 dark:text-slate-300">check says</dt>
                    <dd className="text-right [overflow-wrap:anywhere]">{server.checkDesc}</dd>
                  </>
                )}
                {server.checkCode && (
                  <>
                    <dt className="text-slate-600 dark:text-slate-300">check got HTTP</dt>
                    <dd className="text-right font-mono" data-testid="member-detail-check-code">
                      {server.checkCode}
                    </dd>
                  </>
                )}
                {server.drained && (
                  <>
                    <dt className="text-slate-600 dark:text-slate-300">drained</dt>
                    <dd className="text-right" data-testid="member-detail-drained">
                      {server.drained.reason} since {server.drained.sinceFirstLook ? 'at least ' : ''}
                      {new Date(server.drained.since).toLocaleTimeString()}
                    </dd>
                  </>
                )}
                {clientLatencyLines(server).map((line, i) => (
                  <Fragment key={line}>
                    <dt
                      className="text-slate-600 dark:text-slate-300"
                      title="latency as clients see it through the balancer (its timers), beside etcd's own histograms"
                    >
                      {i === 0 ? 'client-side latency' : ''}
                    </dt>
                    <dd
                      className="text-right tabular-nums [overflow-wrap:anywhere]"
                      data-testid="member-detail-client-latency"
                    >
                      {line}
                    </dd>
                  </Fragment>
                ))}
                <dt
                  className="text-slate-600 dark:text-slate-300"
                  title="runtime weight / weight in the balancer's config / weight in Fulcrum's config (expected share)"
                >
                  weight now / config / Fulcrum
                </dt>
                <dd
                  className={`text-right tabular-nums ${weightChanged(server) ? 'font-bold text-amber-800 dark:text-amber-300' : ''}`}
                  data-testid="member-detail-weight"
                >
                  {server.weight} / {server.initialWeight ?? '—'} / {m.weight}
                </dd>
                <dt className="text-slate-600 dark:text-slate-300">{sessionsText(server, balancer).label}</dt>
                <dd className="text-right tabular-nums">{sessionsText(server, balancer).long}</dd>
                <dt
                  className="text-slate-600 dark:text-slate-300"
                  title="connect, response, retries, redispatches, 5xx, server aborts over the diagnosis window"
                >
                  errors (window)
                </dt>
                <dd
                  className={`text-right tabular-nums ${serverErrors(server) > 0 ? 'font-bold text-red-700 dark:text-red-400' : ''}`}
                >
                  {serverErrors(server) === 0
                    ? '0'
                    : Object.entries(server.errors)
                        .filter(([, v]) => v > 0)
                        .map(([k, v]) => `${k} ${v}`)
                        .join(', ')}
                </dd>
              </dl>
            )}
          </section>
        </div>
      </td>
    </tr>
  );
}
