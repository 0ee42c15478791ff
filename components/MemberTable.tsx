// The members as `etcdctl endpoint status -w table` shows them, plus health and, for the
// selected dimension, each member's value, share and expected share.
import { DIMENSIONS } from '@/lib/dimensions';
import { endpointHost, formatAge, formatBytes, formatPercent, formatPp, formatValue, memberIdHex, ppDelta } from '@/lib/client/format';
import { median } from '@/lib/client/stats';
import type { DimensionId, MemberState } from '@/lib/types';
import { MemberStatusBadge } from './Badges';
import { DELTA_TEXT, deltaTone } from './styles';

export interface MemberTableProps {
  members: readonly MemberState[];
  dim: DimensionId;
  /** Endpoint of the member to highlight (e.g. the clicked heatmap row). */
  highlighted?: string | null;
  /** For "last seen N s ago" on down members; null hides it. */
  now?: number | null;
}

const TH = 'px-1.5 py-2 text-left font-semibold whitespace-nowrap';
const TD = 'px-1.5 py-2 align-top whitespace-nowrap';

function ShareBar({ share, expected }: { share: number | null; expected: number | null }) {
  if (share === null) return null;
  return (
    <span className="relative mt-1 block h-1.5 w-20 ml-auto rounded-full bg-slate-200 dark:bg-slate-700" aria-hidden>
      <span className="absolute inset-y-0 left-0 rounded-full bg-sky-600 dark:bg-sky-400" style={{ width: `${Math.min(100, share * 100)}%` }} />
      {expected !== null && (
        <span className="absolute -inset-y-0.5 w-0.5 bg-slate-900 dark:bg-white" style={{ left: `${Math.min(100, expected * 100)}%` }} />
      )}
    </span>
  );
}

export function MemberTable({ members, dim, highlighted, now = null }: MemberTableProps) {
  const spec = DIMENSIONS[dim];
  const latency = spec.kind === 'latency';
  return (
    <div className="overflow-x-auto">
      <table className="w-full border-collapse text-sm 2xl:text-base" data-testid="member-table">
        <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500 dark:border-slate-700 dark:text-slate-400">
          <tr>
            <th className={TH}>Status</th>
            <th className={TH}>Name / endpoint</th>
            <th className={TH}>ID</th>
            <th className={TH}>Version</th>
            <th className={TH}>DB size / in use</th>
            <th className={TH} title="etcdctl: IS LEADER / IS LEARNER">Role</th>
            <th className={`${TH} text-right`} title="raft term">Term</th>
            <th className={`${TH} text-right`} title="raft index">Raft idx</th>
            <th className={`${TH} text-right`} title="raft applied index">Applied</th>
            <th className={`${TH} border-l border-slate-200 dark:border-slate-700`}>{spec.label}</th>
            <th className={`${TH} text-right`}>{latency ? 'vs median' : 'Share'}</th>
            {!latency && <th className={`${TH} text-right`}>Expected</th>}
            {!latency && <th className={`${TH} text-right`}>Δ</th>}
            <th className="border-l border-slate-200 px-1.5 py-2 text-left font-semibold dark:border-slate-700">Errors / alarms</th>
          </tr>
        </thead>
        <tbody>
          {members.map((m) => (
            <MemberRow key={m.endpoint} m={m} dim={dim} members={members} highlighted={highlighted === m.endpoint} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function medianValue(members: readonly MemberState[], dim: DimensionId): number | null {
  return median(members.filter((m) => m.status === 'up' || m.status === 'unhealthy').map((m) => m.dims[dim].value));
}

function MemberRow({
  m,
  dim,
  members,
  highlighted,
  now,
}: {
  m: MemberState;
  dim: DimensionId;
  members: readonly MemberState[];
  highlighted: boolean;
  now: number | null;
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
      <td className={`px-1.5 py-2 align-top ${down ? 'hatched' : ''}`} data-testid="member-status" data-status={m.status}>
        <MemberStatusBadge status={m.status} />
        {m.source === 'prometheus' && <div className="mt-1 text-xs text-slate-500 dark:text-slate-400">via Prometheus</div>}
        {down && now !== null && m.lastSeen !== null && (
          <div className="mt-1 text-xs">last seen {formatAge(now - m.lastSeen)} ago</div>
        )}
      </td>
      <td className={TD}>
        <div className="font-semibold">{m.name}</div>
        <div className="font-mono text-xs text-slate-500 dark:text-slate-400" title={m.endpoint} data-testid="member-endpoint">
          {endpointHost(m.endpoint)}
        </div>
      </td>
      <td className={`${TD} font-mono text-xs 2xl:text-sm`} title={m.id ? `decimal ${m.id}` : undefined} data-member-id={m.id ?? ''}>
        {hex ?? m.id ?? '—'}
      </td>
      <td className={TD}>{m.version ?? '—'}</td>
      <td className={`${TD} tabular-nums`}>
        {formatBytes(m.dbSizeBytes)} <span className="text-slate-500 dark:text-slate-400">/ {formatBytes(m.dbSizeInUseBytes)}</span>
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
      <td className={TD} data-testid="member-role" data-is-leader={m.isLeader ? 'true' : 'false'} data-is-learner={m.isLearner ? 'true' : 'false'}>
        {m.isLeader ? (
          <span className="font-semibold text-violet-700 dark:text-violet-300">♛ leader</span>
        ) : m.isLearner ? (
          <span className="font-semibold">learner</span>
        ) : m.id === null ? (
          '—'
        ) : (
          'follower'
        )}
      </td>
      <td className={`${TD} text-right font-mono tabular-nums`}>{m.raftTerm ?? '—'}</td>
      <td className={`${TD} text-right font-mono tabular-nums`}>{m.raftIndex ?? '—'}</td>
      <td className={`${TD} text-right font-mono tabular-nums`}>{m.raftAppliedIndex ?? '—'}</td>
      <td className={`${TD} border-l border-slate-200 font-semibold tabular-nums dark:border-slate-700`} data-testid="member-value">
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
      <td className={`min-w-32 px-1.5 py-2 align-top [overflow-wrap:anywhere] border-l border-slate-200 dark:border-slate-700`}>
        {m.error && (
          <div className={`text-xs ${down ? 'font-semibold text-red-700 dark:text-red-400' : 'text-amber-800 dark:text-amber-300'}`} data-testid="member-error">
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
