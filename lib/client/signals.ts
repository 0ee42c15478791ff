// A member's health signals and its balancer server, as the member table shows them: formatted
// values, which ones are past the default thresholds, and where the balancer and etcd disagree
// (HAProxy keeps sending traffic to a member etcd reports down). Pure.
import type { BalancerServer, BalancerState, MemberSignals, MemberState } from '../types';
import { formatDuration, formatNumber } from '../format';

/**
 * The diagnosis defaults (lib/analysis/diagnosis/thresholds.ts; a test keeps them equal). The
 * state does not carry a cluster's own overrides: the table marks values against the defaults
 * and says so; the findings use the configured ones.
 */
export const SIGNAL_DEFAULTS = {
  walFsyncP99Seconds: 0.01,
  backendCommitP99Seconds: 0.025,
  peerRttP99Seconds: 0.05,
  latencyP99Seconds: 1,
  leaderChangesPerMinute: 1,
  raftStalledPolls: 5,
  stallProbeExcessMs: 20,
} as const;

export type SignalGroup = 'disk' | 'network' | 'raft' | 'requests';

export interface SignalRow {
  key: keyof MemberSignals;
  group: SignalGroup;
  label: string;
  /** Short label for the compact summary. */
  short: string;
  value: string;
  /** Past the default threshold (or a failure counter above zero). */
  over: boolean;
  /** e.g. "> 10 ms (default)". */
  threshold: string | null;
  known: boolean;
}

const count = (n: number | null) => (n === null ? '—' : formatNumber(n));

/** Every signal of a member, in display order, with the ones past their threshold marked. */
export function signalRows(s: MemberSignals): SignalRow[] {
  const d = SIGNAL_DEFAULTS;
  const dur = (
    key: keyof MemberSignals,
    group: SignalGroup,
    label: string,
    short: string,
    v: number | null,
    limit: number,
  ): SignalRow => ({
    key,
    group,
    label,
    short,
    value: formatDuration(v),
    over: v !== null && v > limit,
    threshold: `> ${formatDuration(limit)} (default)`,
    known: v !== null,
  });
  const failures = (
    key: keyof MemberSignals,
    group: SignalGroup,
    label: string,
    short: string,
    v: number | null,
    unit = '',
  ): SignalRow => ({
    key,
    group,
    label,
    short,
    value: v === null ? '—' : `${count(v)}${unit}`,
    over: v !== null && v > 0,
    threshold: '> 0',
    known: v !== null,
  });
  const latencyCalls = s.latencyCount === null ? '' : ` (${formatNumber(s.latencyCount)} calls)`;
  return [
    dur('walFsyncP99', 'disk', 'WAL fsync p99', 'fsync', s.walFsyncP99, d.walFsyncP99Seconds),
    dur('backendCommitP99', 'disk', 'backend commit p99', 'commit', s.backendCommitP99, d.backendCommitP99Seconds),
    dur('peerRttP99', 'network', 'peer RTT p99', 'peer RTT', s.peerRttP99, d.peerRttP99Seconds),
    failures(
      'heartbeatFailures',
      'network',
      'heartbeat send failures, last minute',
      'heartbeat failures',
      s.heartbeatFailures,
    ),
    failures(
      'peerSendFailures',
      'network',
      'peer send failures, last minute',
      'peer send failures',
      s.peerSendFailures,
    ),
    {
      key: 'leaderChanges',
      group: 'raft',
      label: 'leader changes, last minute',
      short: 'leader changes',
      value: count(s.leaderChanges),
      over: s.leaderChanges !== null && s.leaderChanges > d.leaderChangesPerMinute,
      threshold: `> ${d.leaderChangesPerMinute}/min (default)`,
      known: s.leaderChanges !== null,
    },
    {
      key: 'hasLeader',
      group: 'raft',
      label: 'sees a leader',
      short: 'no leader',
      value: s.hasLeader === null ? '—' : s.hasLeader ? 'yes' : 'no',
      over: s.hasLeader === false,
      threshold: null,
      known: s.hasLeader !== null,
    },
    {
      key: 'appliedStalledPolls',
      group: 'raft',
      label: 'applied index stalled (polls)',
      short: 'apply stalled',
      value: String(s.appliedStalledPolls),
      over: s.appliedStalledPolls >= d.raftStalledPolls,
      threshold: `≥ ${d.raftStalledPolls} polls (default)`,
      known: true,
    },
    failures('slowApplies', 'raft', 'slow applies, last minute', 'slow applies', s.slowApplies),
    {
      ...dur('latencyP99', 'requests', `KV/Lease latency p99${latencyCalls}`, 'p99', s.latencyP99, d.latencyP99Seconds),
    },
    {
      key: 'probeP50Ms',
      group: 'requests',
      label: `Fulcrum's probe (Status RPC), median${s.probeSamples ? ` of ${s.probeSamples}` : ''}`,
      short: 'probe',
      value: formatDuration(s.probeP50Ms === null ? null : s.probeP50Ms / 1000),
      over: false,
      threshold: null,
      known: s.probeP50Ms !== null,
    },
    {
      key: 'probeExcessMs',
      group: 'requests',
      label: 'probe later than the fastest member, median',
      short: 'probe late',
      value: s.probeExcessMs === null ? '—' : `+${formatDuration(s.probeExcessMs / 1000)}`,
      over: s.probeExcessMs !== null && s.probeExcessMs >= d.stallProbeExcessMs,
      threshold: `≥ ${d.stallProbeExcessMs} ms (default)`,
      known: s.probeExcessMs !== null,
    },
    {
      key: 'grpcErrorRate',
      group: 'requests',
      label: 'gRPC failures (Unavailable, DeadlineExceeded, …)',
      short: 'gRPC failures',
      value: s.grpcErrorRate === null ? '—' : `${formatNumber(s.grpcErrorRate)}/s`,
      over: s.grpcErrorRate !== null && s.grpcErrorRate > 0,
      threshold: '> 0',
      known: s.grpcErrorRate !== null,
    },
    {
      key: 'revision',
      group: 'raft',
      label: 'MVCC revision',
      short: 'revision',
      value: s.revision ?? '—',
      over: false,
      threshold: null,
      known: s.revision !== null,
    },
  ];
}

/** The signals past their threshold, for the compact column. */
export function signalAlerts(s: MemberSignals): SignalRow[] {
  return signalRows(s).filter((r) => r.over);
}

/** The balancer server that points at this member, if any. */
export function serverOf(
  balancer: BalancerState | null | undefined,
  m: Pick<MemberState, 'endpoint'>,
): BalancerServer | null {
  return balancer?.servers.find((x) => x.member === m.endpoint) ?? null;
}

export type ServerTone = 'up' | 'down' | 'maint' | 'other';

/** HAProxy's status word ("UP", "UP 1/3", "DOWN", "MAINT", "DRAIN", "no check", …) as a tone. */
export function serverTone(status: string): ServerTone {
  const s = status.trim().toUpperCase();
  if (s.startsWith('UP') || s === 'NO CHECK') return 'up';
  if (s.startsWith('DOWN')) return 'down';
  if (s.startsWith('MAINT') || s.startsWith('DRAIN') || s.startsWith('NOLB')) return 'maint';
  return 'other';
}

/** "L7OK" without HAProxy's "* " (check in progress) prefix. */
export function checkStatusText(x: Pick<BalancerServer, 'checkStatus'>): string | null {
  return x.checkStatus ? x.checkStatus.replace(/^\*\s*/, '') : null;
}

/**
 * What kind of health check the balancer runs on a server: from its config file when Fulcrum
 * reads it, else from the last check's status (L7xx: HTTP; L4OK: the port only). A failing
 * L4 status (L4CON, L4TOUT) says where the check failed, not what kind it is.
 */
export function checkKind(
  x: Pick<BalancerServer, 'checkLayer' | 'checkStatus'>,
  config?: BalancerState['check'] | null,
): { label: string; tcpOnly: boolean; known: boolean } {
  if (config && config.type !== 'unknown') {
    if (config.type === 'http') return { label: 'HTTP check', tcpOnly: false, known: true };
    if (config.type === 'tcp') return { label: 'TCP check', tcpOnly: true, known: true };
    // open-source NGINX: failed real connections only; a hung member that accepts them passes
    if (config.type === 'passive') return { label: 'passive check', tcpOnly: true, known: true };
    return { label: 'no check', tcpOnly: true, known: true };
  }
  const st = checkStatusText(x) ?? '';
  if (x.checkLayer === 'none') return { label: 'no check', tcpOnly: true, known: true };
  if (/^L7/.test(st)) return { label: 'HTTP check', tcpOnly: false, known: true };
  if (st === 'L4OK') return { label: 'TCP check', tcpOnly: true, known: true };
  if (/^L[46]/.test(st)) return { label: 'check can’t connect', tcpOnly: false, known: false };
  return { label: 'check ?', tcpOnly: false, known: false };
}

/**
 * Where etcd and the balancer disagree: a member etcd reports down or unhealthy that the
 * balancer still sends traffic to (the TCP-check trap), or a healthy member the balancer has
 * taken out. null when they agree (or either side is unknown).
 */
export function disagreement(
  m: Pick<MemberState, 'status'>,
  server: Pick<BalancerServer, 'status' | 'checkLayer' | 'checkStatus'> | null,
  config?: BalancerState['check'] | null,
): { kind: 'still-serving' | 'ejected'; text: string } | null {
  if (!server) return null;
  const tone = serverTone(server.status);
  if ((m.status === 'down' || m.status === 'unhealthy') && tone === 'up') {
    const k = checkKind(server, config);
    const why =
      k.label === 'no check'
        ? ': no health check'
        : k.label === 'passive check'
          ? ': passive checks only see failed connections'
          : k.tcpOnly
            ? ': a TCP check only sees the port open'
            : '';
    return { kind: 'still-serving', text: `etcd says ${m.status}, the balancer still sends it traffic${why}` };
  }
  if (m.status === 'up' && (tone === 'down' || tone === 'maint')) {
    return { kind: 'ejected', text: `etcd says up, the balancer sends it no traffic (${server.status})` };
  }
  return null;
}

/**
 * A server's sessions as the balancer can tell them: open now and new per second (HAProxy,
 * NGINX Plus), or ended per second with their mean length (open-source NGINX: its access log
 * writes a session when it ends).
 */
export function sessionsText(
  x: Pick<BalancerServer, 'scur' | 'sessionRate' | 'meanTimeMs'>,
  balancer: Pick<BalancerState, 'type' | 'nginx'>,
): { short: string; long: string; label: string } {
  const rate = x.sessionRate === null ? '—' : x.sessionRate.toFixed(1);
  if (balancer.type === 'nginx' && !balancer.nginx?.plus) {
    const mean = x.meanTimeMs === null ? '—' : formatDuration(x.meanTimeMs / 1000);
    return { short: `${rate}/s`, long: `${rate}, ${mean}`, label: 'sessions ended/s, mean length' };
  }
  return { short: `${x.scur} sess`, long: `${x.scur}, ${rate}`, label: 'sessions now, new/s' };
}

/** Runtime weight differs from the one the balancer was configured with. */
export function weightChanged(x: Pick<BalancerServer, 'weight' | 'initialWeight'>): boolean {
  return x.initialWeight !== null && x.initialWeight !== x.weight;
}

/** Sum of a server's error counters over the diagnosis window. */
export function serverErrors(x: Pick<BalancerServer, 'errors'>): number {
  const e = x.errors;
  return e.econ + e.eresp + e.wretr + e.wredis + e.hrsp5xx + e.srvAbrt;
}

/**
 * Latency as clients see it through the balancer, as one line per source: HAProxy's own timers
 * (averages over its last 1024 sessions or requests, highest since it started) and the
 * balancer's log lines over the diagnosis window (average, p99). null when neither measured.
 */
export function clientLatencyLines(x: Pick<BalancerServer, 'timers' | 'logTimers'>): string[] {
  const out: string[] = [];
  const ms = (v: number | null) => formatDuration(v === null ? null : v / 1000);
  for (const t of [x.timers, x.logTimers]) {
    if (!t) continue;
    const parts = [
      t.queueMs !== null ? `queue ${ms(t.queueMs)}` : '',
      t.connectMs !== null ? `connect ${ms(t.connectMs)}` : '',
      t.responseMs !== null ? `response ${ms(t.responseMs)}` : '',
      t.totalMs !== null ? `${t.per === 'session' ? 'session' : 'total'} ${ms(t.totalMs)}` : '',
    ].filter(Boolean);
    if (!parts.length) continue;
    const high = t.source === 'logs' ? 'p99' : 'max';
    const highV = t.responseHighMs ?? t.totalHighMs;
    const from = t.source === 'logs' ? `log, ${formatNumber(t.count ?? 0)} lines` : `stats, per ${t.per}`;
    out.push(`${parts.join(', ')}${highV !== null ? `; ${high} ${ms(highV)}` : ''} (${from})`);
  }
  return out;
}
