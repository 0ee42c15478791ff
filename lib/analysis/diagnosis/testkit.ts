// Builders for detector unit tests: a cluster view as the engine hands it to the detectors.
import { emptyDimRecord } from '../../dimensions';
import { memberIdHex } from '../../format';
import type { BalancerServer, DimensionScore, MemberState } from '../../types';
import { isLive } from '../live';
import { scoreDimensions } from '../score';
import { withPeerViews } from '../signals';
import { makeBalancer, makeMember, makeServer } from '../../testkit';
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
  return makeServer({
    name: m.name,
    member: m.endpoint,
    address: new URL(m.endpoint).host,
    weight: m.weight,
    initialWeight: m.weight,
    ...over,
  });
}

export const balancer = makeBalancer;

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
      probeLateSpellMs: samples >= 8 ? excess : null,
    },
  };
}

/** Open-source NGINX (stream, passive checks) in front of these members, as the NGINX source reports it. */
export function nginxInFront(
  members: MemberState[],
  over: Partial<BalancerServer>[] = [],
  opts: { plusApi?: string; protocol?: 'tcp' | 'grpc' } = {},
): Pick<DiagnosisInput, 'balancer' | 'balancerRef'> {
  return {
    balancer: makeBalancer(
      members.map((m, i) =>
        server(m, {
          name: new URL(m.endpoint).host,
          checkLayer: 'L4',
          checkMode: opts.plusApi ? 'active' : 'passive',
          checkStatus: 'passive',
          checkDesc: 'max_fails=2 fail_timeout=5s on real connections',
          passive: { maxFails: 2, failTimeoutMs: 5000 },
          scur: 0,
          meanTimeMs: 1400,
          ...over[i],
        }),
      ),
      {
        type: 'nginx',
        protocol: opts.protocol ?? 'tcp',
        check: { type: 'passive', method: null, path: null, interMs: {} },
        nginx: {
          upstreamAt: '/etc/nginx/conf.d/etcd.conf:1',
          directives: ['zone etcd 64k'],
          noLiveUpstreams: 0,
          formatMissing: [],
          plus: Boolean(opts.plusApi),
        },
      },
    ),
    balancerRef: {
      type: 'nginx',
      backend: 'etcd',
      runtimeApi: null,
      plusApi: opts.plusApi ?? null,
      configFile: '/etc/nginx/nginx.conf',
    },
  };
}
