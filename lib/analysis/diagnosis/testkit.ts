// Builders for detector unit tests: a cluster view as the engine hands it to the detectors.
import { emptyDimRecord } from '../../dimensions';
import { memberIdHex } from '../../format';
import type { BalancerServer, BalancerState, DimensionScore, MemberState } from '../../types';
import { isLive } from '../live';
import { scoreDimensions } from '../score';
import { withPeerViews } from '../signals';
import { makeMember } from '../../testkit';
import { DEFAULT_THRESHOLDS } from './thresholds';
import type { DiagnosisInput } from './types';

export const ID = (i: number) => `1366803315117190170${i}`; // uint64 > 2^53

export function member(i: number, over: Partial<MemberState> = {}): MemberState {
  return makeMember({
    endpoint: `http://10.0.0.${i}:2379`,
    name: `etcd-${i}`,
    id: ID(i),
    isLeader: i === 1,
    leaderId: ID(1),
    ...over,
  });
}

/** Fills request (and latency) dims and scores the way the engine does. */
export function withLoad(
  members: MemberState[],
  requests: Array<number | null>,
  latency?: Array<number | null>,
  weighted = false,
  drained?: boolean[],
): { members: MemberState[]; scores: Record<string, DimensionScore> } {
  const values = emptyDimRecord<(number | null)[]>(() => members.map(() => null));
  values.requests = requests;
  if (latency) values.latencyP99 = latency;
  const up = members.map(isLive);
  const leader = members.findIndex((m) => m.isLeader);
  const r = scoreDimensions(
    { up, leader, weights: members.map((m) => (weighted ? m.weight : 1)), weighted, values, drained },
    members.map((m) => m.endpoint),
  );
  const out = members.map((m, i) => ({
    ...m,
    dims: {
      ...m.dims,
      requests: { value: requests[i], share: r.shares.requests[i], expectedShare: r.expected.requests[i] },
      latencyP99: { value: latency?.[i] ?? null, share: null, expectedShare: null },
    },
    signals: latency && latency[i] !== null ? { ...m.signals, latencyP99: latency[i], latencyCount: 1000 } : m.signals,
  }));
  return { members: out, scores: r.scores };
}

export function server(m: MemberState, over: Partial<BalancerServer> = {}): BalancerServer {
  return {
    name: m.name,
    member: m.endpoint,
    address: new URL(m.endpoint).host,
    status: 'UP',
    weight: m.weight,
    initialWeight: m.weight,
    checkLayer: 'L7',
    checkStatus: 'L7OK',
    checkDesc: 'Layer7 check passed',
    scur: 2,
    sessionRate: 5,
    errors: { econ: 0, eresp: 0, wretr: 0, wredis: 0, hrsp5xx: 0, srvAbrt: 0 },
    checkCode: null,
    backup: false,
    drained: null,
    timers: null,
    logTimers: null,
    ...over,
  };
}

export function balancer(servers: BalancerServer[], over: Partial<BalancerState> = {}): BalancerState {
  return { type: 'haproxy', backend: 'etcd', ok: true, error: null, checkedAt: 1, servers, check: null, ...over };
}

export function input(over: Partial<DiagnosisInput> & { members: MemberState[] }): DiagnosisInput {
  const scored =
    over.scores ??
    withLoad(
      over.members,
      over.members.map(() => null),
    ).scores;
  return {
    cluster: 'c',
    t: 1000,
    pollIntervalMs: 1000,
    weighted: false,
    balancer: null,
    balancerRef: null,
    leaderChangesLastMinute: 0,
    logSignals: null,
    thresholds: DEFAULT_THRESHOLDS,
    ...over,
    scores: scored as DiagnosisInput['scores'],
  };
}

/** Three healthy members, etcd-1 leading. */
export const three = () => [member(1), member(2), member(3)];

/** Every fix body of a candidate, one string to search. */
export const fixText = (c: { fixes: Array<{ body: string }> }) => c.fixes.map((f) => f.body).join('\n');

/**
 * Fills each member's latest round trip towards each peer (`rtt(from, to)` in seconds, null for
 * none) and what the peers measure towards it, as the engine does.
 */
export function withPeers(
  members: MemberState[],
  rtt: (from: number, to: number) => number | null,
  failures: (from: number, to: number) => number = () => 0,
): MemberState[] {
  const filled = members.map((m, i) => {
    const peerRttTo: Record<string, number> = {};
    const peerSendFailuresTo: Record<string, number> = {};
    members.forEach((p, j) => {
      if (i === j) return;
      const hex = memberIdHex(p.id)!;
      const v = rtt(i, j);
      if (v !== null) peerRttTo[hex] = v;
      peerSendFailuresTo[hex] = failures(i, j);
    });
    return { ...m, signals: { ...m.signals, peerRttTo, peerSendFailuresTo } };
  });
  const views = withPeerViews(filled);
  return filled.map((m, i) => ({ ...m, signals: views[i] }));
}

/** Probe signals as the engine derives them from `samples` probes of `ms` each, `excess` over the fastest. */
export function probed(m: MemberState, ms: number, excess: number, samples = 12): MemberState {
  return {
    ...m,
    signals: {
      ...m.signals,
      probeMs: ms,
      probeP50Ms: ms,
      probeSamples: samples,
      probeExcessMs: excess,
      probeExcessP90Ms: excess,
      probeExcessPeakMs: excess,
    },
  };
}
