// Per-member health signals and the balancer view over the diagnosis window. Pure.
import type { HaproxySnapshot } from '../sources/haproxy';
import type { BalancerServer, BalancerState, MemberSignals, MemberState } from '../types';
import type { MemberCounters } from './counters';
import { histogramQuantile, sumHistograms, type CounterDelta } from './rates';
import { windowRate } from './values';

function sumCounter(deltas: CounterDelta[], id: keyof CounterDelta['counters']): number | null {
  let any = false;
  let sum = 0;
  for (const d of deltas) {
    const v = d.counters[id];
    if (v === null) continue;
    any = true;
    sum += v;
  }
  return any ? sum : null;
}

export interface SignalInput {
  /** Oldest first; the engine keeps at least a minute of them. */
  deltas: CounterDelta[];
  windowPolls: number;
  minutePolls: number;
  scorePolls: number;
  latest: MemberCounters | null;
  revision: string | null;
  /** This member's applied index did not move this poll while the leader's commit index did. */
  appliedStalled: boolean;
  prev: MemberSignals | null;
}

export function memberSignals(i: SignalInput): MemberSignals {
  const win = i.deltas.slice(-i.windowPolls);
  const minute = i.deltas.slice(-i.minutePolls);
  const q = (h: 'walFsync' | 'backendCommit' | 'peerRtt') =>
    histogramQuantile(0.99, sumHistograms(win.map((d) => d.histograms[h])));
  const lat = sumHistograms(win.map((d) => d.histograms.grpcLatency));
  return {
    walFsyncP99: q('walFsync'),
    backendCommitP99: q('backendCommit'),
    peerRttP99: q('peerRtt'),
    latencyP99: histogramQuantile(0.99, lat),
    latencyCount: lat ? (lat.buckets[lat.buckets.length - 1]?.[1] ?? 0) : null,
    leaderChanges: sumCounter(minute, 'leaderChanges'),
    heartbeatFailures: sumCounter(minute, 'heartbeatFailures'),
    // Recent polls only: failures while a peer was down stop counting soon after it is back.
    peerSendFailures: sumCounter(i.deltas.slice(-i.scorePolls), 'peerSendFailures'),
    slowApplies: sumCounter(minute, 'slowApplies'),
    grpcErrorRate: windowRate(i.deltas.slice(-i.scorePolls), 'grpcErrors'),
    hasLeader: i.latest?.gauges.hasLeader === null || i.latest === null ? null : i.latest.gauges.hasLeader > 0,
    revision: i.revision ?? i.prev?.revision ?? null,
    appliedStalledPolls: i.appliedStalled ? (i.prev?.appliedStalledPolls ?? 0) + 1 : 0,
  };
}

/**
 * Which layer each server is checked at. A check status only says where the last check ended:
 * an HTTP check that can't connect reports L4CON, like a TCP check would. So: the config file
 * decides when known; else an L7 result on any server means the backend checks over HTTP; a
 * server is TCP-checked only when its check passed at layer 4 (L4OK) with no L7 result anywhere.
 */
export function checkLayers(
  snap: HaproxySnapshot,
): (s: HaproxySnapshot['servers'][number]) => BalancerServer['checkLayer'] {
  const status = (s: HaproxySnapshot['servers'][number]) => (s.checkStatus ?? '').replace(/^\*\s*/, '');
  const cfg = snap.check?.type;
  const anyL7 = snap.servers.some((s) => status(s).startsWith('L7'));
  return (s) => {
    if (s.checkLayer === 'none') return 'none';
    if (cfg === 'http') return 'L7';
    if (cfg === 'tcp') return 'L4';
    if (cfg === 'none') return 'none';
    if (anyL7) return 'L7';
    if (status(s) === 'L4OK') return 'L4';
    return status(s).startsWith('L7') ? 'L7' : 'unknown';
  };
}

/** Polls over which balancer error counters are compared. */
export const ERROR_WINDOW_POLLS = 10;

function hostPort(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    return url;
  }
}

/** Which member a balancer server points at: by address, else by name. */
export function serverMember(
  server: { name: string; address: string },
  members: Array<Pick<MemberState, 'endpoint' | 'name'>>,
): string | null {
  const byAddr = members.find((m) => hostPort(m.endpoint) === server.address);
  if (byAddr) return byAddr.endpoint;
  return members.find((m) => m.name === server.name)?.endpoint ?? null;
}

/**
 * The balancer as the detectors see it: the latest snapshot plus rates over the window
 * (`snapshots` oldest first). Counter resets (a balancer reload) give null rates / zero errors.
 */
export function balancerView(
  type: BalancerState['type'],
  backend: string,
  snapshots: HaproxySnapshot[],
  members: Array<Pick<MemberState, 'endpoint' | 'name'>>,
  error: string | null,
  checkedAt: number | null,
  /** Polls over which new-session rates are taken: the same window as the request shares. */
  rateWindowPolls = 5,
): BalancerState {
  const last = snapshots[snapshots.length - 1];
  if (!last) return { type, backend, ok: false, error: error ?? 'not polled yet', checkedAt, servers: [], check: null };
  const first = snapshots[Math.max(0, snapshots.length - 1 - rateWindowPolls)];
  const layer = checkLayers(last);
  // Errors over the last few polls only: they stop counting soon after the cause is gone.
  const errFrom = snapshots[Math.max(0, snapshots.length - 1 - ERROR_WINDOW_POLLS)];
  const dt = (last.t - first.t) / 1000;
  const servers: BalancerServer[] = last.servers.map((s) => {
    const old = first.servers.find((x) => x.name === s.name);
    const errOld = errFrom.servers.find((x) => x.name === s.name);
    const inc = (k: 'econ' | 'eresp' | 'wretr' | 'wredis' | 'hrsp5xx' | 'srvAbrt') =>
      errOld && s[k] >= errOld[k] ? s[k] - errOld[k] : 0;
    const sessionRate = old && dt > 0 && s.stot >= old.stot ? (s.stot - old.stot) / dt : null;
    return {
      name: s.name,
      member: serverMember(s, members),
      address: s.address,
      status: s.status,
      weight: s.weight,
      initialWeight: s.initialWeight,
      checkLayer: layer(s),
      checkStatus: s.checkStatus,
      checkDesc: s.checkDesc,
      scur: s.scur,
      sessionRate,
      errors: {
        econ: inc('econ'),
        eresp: inc('eresp'),
        wretr: inc('wretr'),
        wredis: inc('wredis'),
        hrsp5xx: inc('hrsp5xx'),
        srvAbrt: inc('srvAbrt'),
      },
    };
  });
  return {
    type,
    backend,
    ok: error === null,
    error,
    checkedAt,
    servers,
    check: last.check
      ? { type: last.check.type, method: last.check.method, path: last.check.path, interMs: last.check.interMs }
      : null,
  };
}
