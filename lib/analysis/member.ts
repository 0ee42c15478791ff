// From one poll of one member (plus what the cluster knows) to its MemberState. Pure.
import { emptyDimRecord } from '../dimensions';
import type { EndpointConfig } from '../config/load';
import type { EtcdAlarm, EtcdMemberInfo, MemberPoll } from '../sources/etcd';
import type { DimensionValue, MemberSignals, MemberState, MemberStatus } from '../types';

/** What Prometheus said about a member Fulcrum could not reach itself. */
export interface PromMemberView {
  up: boolean;
  isLeader: boolean | null;
  hasLeader: boolean | null;
  version: string | null;
  dbSizeBytes: number | null;
  /** etcd_server_quota_backend_bytes, when Prometheus has it. */
  quotaBackendBytes?: number | null;
}

export interface MemberInput {
  endpoint: EndpointConfig;
  prev: MemberState | null;
  poll: MemberPoll | null;
  /** Consecutive polls (including this one) in which the member did not answer. */
  failures: number;
  /** Failed polls in a row before a member is called down. */
  downAfter: number;
  knownMembers: EtcdMemberInfo[];
  /** The cluster's alarm list (from any member that answered), null when nobody answered. */
  clusterAlarms: EtcdAlarm[] | null;
  prom: PromMemberView | null;
  t: number;
  /**
   * Fulcrum itself stalled during this poll and the parts that timed out were taken as not asked:
   * what the poll did not say is what was known before (a member that said nothing stays as it was).
   */
  excused?: boolean;
}

/** The URL's host as written (no default port added): a member's name when nothing else names it. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function normUrl(u: string): string {
  return u.replace(/\/+$/, '');
}

export function emptyDims(): Record<string, DimensionValue> {
  return emptyDimRecord<DimensionValue>(() => ({ value: null, share: null, expectedShare: null }));
}

export function emptySignals(): MemberSignals {
  return {
    walFsyncP99: null,
    backendCommitP99: null,
    peerRttP99: null,
    latencyP99: null,
    latencyCount: null,
    leaderChanges: null,
    heartbeatFailures: null,
    peerSendFailures: null,
    slowApplies: null,
    grpcErrorRate: null,
    hasLeader: null,
    revision: null,
    appliedStalledPolls: 0,
    probeMs: null,
    probeP50Ms: null,
    probeSamples: 0,
    probeExcessMs: null,
    probeExcessP90Ms: null,
    probeExcessPeakMs: null,
    restarts: null,
    startedAt: null,
    probeLateSpellMs: null,
    peerRttTo: {},
    peerSendFailuresTo: {},
    rttFromPeers: null,
    gcPauseMean: null,
    gcPauseMax: null,
  };
}

export function deriveMember(input: MemberInput): MemberState {
  const { endpoint, prev, poll, prom, t } = input;
  const status = poll?.status ?? null;
  const answered = Boolean(status) || Boolean(poll?.health);
  if (input.excused && prev && poll && !answered && !poll.statusError && !poll.healthError) {
    return { ...prev, dims: emptyDims() as MemberState['dims'], signals: prev.signals };
  }
  const info =
    input.knownMembers.find((m) => status && m.id === status.id) ??
    input.knownMembers.find((m) => m.clientUrls.some((u) => normUrl(u) === endpoint.url));
  const id = status?.id ?? info?.id ?? prev?.id ?? null;
  const alarms = input.clusterAlarms
    ? input.clusterAlarms.filter((a) => id !== null && a.memberId === id).map((a) => a.alarm)
    : (prev?.alarms ?? []);
  const errors = status?.errors ?? [];
  const noLeader = status ? status.leader === '0' : false;
  const healthy = poll?.health ? poll.health.healthy : null;

  let memberStatus: MemberStatus;
  let source: MemberState['source'] = answered ? 'direct' : 'none';
  let error: string | null = null;
  if (answered) {
    const problems: string[] = [];
    if (healthy === false) problems.push(`/health: ${poll?.health?.reason ?? 'false'}`);
    if (alarms.length) problems.push(`alarm ${alarms.join(', ')}`);
    if (errors.length) problems.push(errors.join('; '));
    if (noLeader) problems.push('no leader');
    if (!status && poll?.statusError) problems.push(`Status RPC: ${poll.statusError}`);
    memberStatus = problems.length ? 'unhealthy' : 'up';
    error = problems.length ? problems.join('; ') : null;
  } else if (prom?.up) {
    memberStatus = prom.hasLeader === false ? 'unhealthy' : 'up';
    source = 'prometheus';
    error = poll ? `not reachable from Fulcrum (${poll.statusError ?? 'no answer'}); values from Prometheus` : null;
  } else if (!poll && !prom) {
    // Not polled directly and Prometheus had no answer: nothing can tell us how it is.
    memberStatus = 'unknown';
    error = endpoint.direct ? 'not polled yet' : 'read from Prometheus only, and Prometheus did not answer';
  } else {
    const why = poll?.statusError ?? poll?.healthError ?? (prom ? 'Prometheus reports it down' : 'no answer');
    error = prom && !prom.up ? `${why}; Prometheus: up=0` : why;
    memberStatus = input.failures >= input.downAfter ? 'down' : prev?.status === 'down' ? 'down' : 'unknown';
  }

  // One missed poll ('unknown') keeps the last-known role: no leader → none → same leader flap.
  const isLeader = status
    ? status.leader === status.id && status.leader !== '0'
    : input.excused && answered && !poll?.statusError
      ? (prev?.isLeader ?? false)
      : source === 'prometheus'
        ? Boolean(prom?.isLeader)
        : memberStatus === 'unknown'
          ? (prev?.isLeader ?? false)
          : false;
  const keep = <K extends keyof MemberState>(k: K, v: MemberState[K] | null | undefined): MemberState[K] | null =>
    v !== null && v !== undefined ? v : ((prev?.[k] as MemberState[K] | undefined) ?? null);

  return {
    endpoint: endpoint.url,
    name: endpoint.name ?? (info?.name || prev?.name || hostOf(endpoint.url)),
    id,
    isLeader,
    isLearner: status?.isLearner ?? info?.isLearner ?? prev?.isLearner ?? false,
    healthy: answered ? healthy : null,
    reachable: answered,
    status: memberStatus,
    source,
    error,
    version: keep('version', status?.version ?? prom?.version),
    dbSizeBytes: keep('dbSizeBytes', status?.dbSize ?? prom?.dbSizeBytes),
    dbSizeInUseBytes: keep('dbSizeInUseBytes', status?.dbSizeInUse),
    quotaBackendBytes: keep('quotaBackendBytes', poll?.counters?.gauges.quotaBackendBytes ?? prom?.quotaBackendBytes),
    leaderId: status ? (status.leader === '0' ? null : status.leader) : (prev?.leaderId ?? null),
    raftIndex: keep('raftIndex', status?.raftIndex),
    raftTerm: keep('raftTerm', status?.raftTerm),
    raftAppliedIndex: keep('raftAppliedIndex', status?.raftAppliedIndex),
    errors,
    alarms,
    weight: endpoint.weight,
    lastSeen: answered || source === 'prometheus' ? t : (prev?.lastSeen ?? null),
    dims: emptyDims() as MemberState['dims'],
    signals: emptySignals(),
    // certificates are looked at about once a minute: keep the last one seen
    cert: poll?.cert
      ? {
          notAfter: poll.cert.notAfter,
          subject: poll.cert.subject,
          altNames: poll.cert.altNames,
          nameMatches: poll.cert.nameMatches,
          trusted: poll.cert.trusted,
        }
      : (prev?.cert ?? null),
  };
}
