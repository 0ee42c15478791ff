// Per-member health signals and the balancer view over the diagnosis window. Pure.
import type { BalancerSample, BalancerServerSample } from '../sources/balancer';
import type { HaproxyTimers } from '../sources/haproxy';
import { memberIdHex } from '../format';
import { median, quantile } from '../stats';
import type { BalancerServer, BalancerState, ClientTimers, MemberSignals, MemberState } from '../types';
import { drainReason, drainState } from './intent';
import type { MemberCounters } from './counters';
import { round4 } from './frames';
import { histogramQuantile, sumHistograms, type CounterDelta } from './rates';
import { windowRate } from './values';

/** One poll's probe of one member: its time and its excess over the fastest member (ms). */
export interface ProbeSample {
  ms: number;
  excess: number;
  /** Median excess over the last PROBE_MEDIAN_POLLS probes, this one included. */
  med: number;
}

/**
 * Probes the member's typical lateness is the median of: enough that a hiccup of Fulcrum or of
 * the machine is outvoted, few enough that a stall shows within about 7 polls.
 */
export const PROBE_MEDIAN_POLLS = 12;

/** The next probe ring of a member: `x` (this poll's time and excess) pushed, its median computed. */
export function pushProbe(
  ring: ReadonlyArray<ProbeSample>,
  x: { ms: number; excess: number },
  capacity: number,
): ProbeSample[] {
  const recent = [...ring.slice(-(PROBE_MEDIAN_POLLS - 1)).map((p) => p.excess), x.excess];
  const next = [...ring, { ...x, med: median(recent) ?? x.excess }];
  return next.length > capacity ? next.slice(next.length - capacity) : next;
}

/**
 * This poll's probe excess per member: its time minus the fastest member's, minus Fulcrum's own
 * lateness meanwhile (never below 0). Members without a timed probe get null.
 */
export function probeSamples(
  probes: ReadonlyArray<{ ms: number | null; lagMs: number | null } | null | undefined>,
): Array<{ ms: number; excess: number } | null> {
  const times = probes.map((p) => (p && p.ms !== null && Number.isFinite(p.ms) ? p.ms : null));
  const known = times.filter((x): x is number => x !== null);
  if (known.length === 0) return times.map(() => null);
  const fastest = Math.min(...known);
  return times.map((ms, i) =>
    ms === null ? null : { ms, excess: Math.round(Math.max(0, ms - fastest - (probes[i]?.lagMs ?? 0)) * 100) / 100 },
  );
}

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
  /** This member's probes, oldest first (the engine keeps a diagnosis window of them). */
  probes?: ReadonlyArray<ProbeSample>;
}

function sumPeerFailures(deltas: CounterDelta[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of deltas)
    for (const [to, p] of Object.entries(d.peers ?? {}))
      if (p.sendFailures !== null) out[to] = (out[to] ?? 0) + p.sendFailures;
  return out;
}

/**
 * The latest round trip observed towards each peer within `deltas` (newest first wins). etcd's
 * prober observes each peer only about every 30 s, so a window p99 would lag a change by a
 * minute; the latest observation (a smoothed RTT already) is the current one.
 */
function peerRtts(deltas: CounterDelta[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = deltas.length - 1; k >= 0; k--)
    for (const [to, p] of Object.entries(deltas[k].peers ?? {})) {
      if (to in out || !p.rtt || !(p.rtt.count > 0)) continue;
      const q = histogramQuantile(0.99, p.rtt);
      if (q !== null) out[to] = Math.round(q * 1e6) / 1e6;
    }
  return out;
}

/**
 * The newest deltas that span the last minute: counted in time, not polls, so a minute stays a
 * minute while an overloaded Fulcrum polls every 4 or 8 s instead of every second (60 polls
 * would then hold 4 or 8 minutes, and a finding on "the last minute" would not clear for as
 * long). At most `maxPolls` (the configured interval's minute), at least the newest one.
 */
export function lastMinute(deltas: CounterDelta[], maxPolls: number): CounterDelta[] {
  let k = deltas.length;
  let seconds = 0;
  while (k > 0 && deltas.length - k < maxPolls) {
    const dt = deltas[k - 1].dt;
    if (k < deltas.length && seconds + dt > 60 + 1e-6) break;
    seconds += dt;
    k--;
  }
  return deltas.slice(k);
}

export function memberSignals(i: SignalInput): MemberSignals {
  const win = i.deltas.slice(-i.windowPolls);
  const minute = lastMinute(i.deltas, i.minutePolls);
  // Quantiles and rates to 4 significant digits, like every number the stream sends.
  const q = (h: 'walFsync' | 'backendCommit' | 'peerRtt') =>
    round4(histogramQuantile(0.99, sumHistograms(win.map((d) => d.histograms[h]))));
  const lat = sumHistograms(win.map((d) => d.histograms.grpcLatency));
  return {
    walFsyncP99: q('walFsync'),
    backendCommitP99: q('backendCommit'),
    peerRttP99: q('peerRtt'),
    latencyP99: round4(histogramQuantile(0.99, lat)),
    latencyCount: lat ? (lat.buckets[lat.buckets.length - 1]?.[1] ?? 0) : null,
    leaderChanges: sumCounter(minute, 'leaderChanges'),
    heartbeatFailures: sumCounter(minute, 'heartbeatFailures'),
    // Recent polls only: failures while a peer was down stop counting soon after it is back.
    peerSendFailures: sumCounter(i.deltas.slice(-i.scorePolls), 'peerSendFailures'),
    slowApplies: sumCounter(minute, 'slowApplies'),
    grpcErrorRate: round4(windowRate(i.deltas.slice(-i.scorePolls), 'grpcErrors')),
    hasLeader: i.latest?.gauges.hasLeader === null || i.latest === null ? null : i.latest.gauges.hasLeader > 0,
    revision: i.revision ?? i.prev?.revision ?? null,
    appliedStalledPolls: i.appliedStalled ? (i.prev?.appliedStalledPolls ?? 0) + 1 : 0,
    ...probeSignals(i.probes ?? []),
    restarts: minute.length ? minute.filter((d) => d.restarted).length : (i.prev?.restarts ?? null),
    startedAt: i.latest?.gauges.processStartTime ?? i.prev?.startedAt ?? null,
    peerRttTo: peerRtts(i.deltas),
    peerSendFailuresTo: sumPeerFailures(i.deltas.slice(-i.scorePolls)),
    rttFromPeers: null,
    gcPauseMean: gcMean(win),
    gcPauseMax: i.latest?.gauges.gcPauseMax ?? null,
  };
}

function gcMean(win: CounterDelta[]): number | null {
  let pause = 0;
  let cycles = 0;
  for (const d of win) {
    if (d.counters.gcPauseSeconds === null || d.counters.gcCycles === null) continue;
    pause += d.counters.gcPauseSeconds;
    cycles += d.counters.gcCycles;
  }
  return cycles > 0 ? pause / cycles : null;
}

function probeSignals(
  probes: ReadonlyArray<ProbeSample>,
): Pick<
  MemberSignals,
  | 'probeMs'
  | 'probeP50Ms'
  | 'probeSamples'
  | 'probeExcessMs'
  | 'probeExcessP90Ms'
  | 'probeExcessPeakMs'
  | 'probeLateSpellMs'
> {
  const recent = probes.slice(-PROBE_MEDIAN_POLLS);
  const last = probes.at(-1);
  return {
    probeMs: last?.ms ?? null,
    probeP50Ms: median(recent.map((p) => p.ms)),
    probeSamples: recent.length,
    probeExcessMs: last ? last.med : null,
    probeExcessP90Ms: quantile(
      recent.map((p) => p.excess),
      0.9,
    ),
    probeExcessPeakMs: sustainedPeak(probes.map((p) => p.med)),
    probeLateSpellMs: lateSpell(
      probes.map((p) => p.med),
      probeTails(probes),
    ),
  };
}

/** The 90th percentile of the last PROBE_MEDIAN_POLLS excesses at each probe kept. */
function probeTails(probes: ReadonlyArray<ProbeSample>): number[] {
  return probes.map(
    (_, i) =>
      quantile(
        probes.slice(Math.max(0, i - PROBE_MEDIAN_POLLS + 1), i + 1).map((p) => p.excess),
        0.9,
      ) ?? 0,
  );
}

/**
 * Polls the typical lateness must hold before it counts as a past stall: a real stall keeps the
 * median up for as long as it lasts, a busy machine's hiccup lifts it for a poll or two.
 */
export const PROBE_SUSTAINED_POLLS = 8;

/** The highest value `meds` held for PROBE_SUSTAINED_POLLS in a row (null when fewer were kept). */
function sustainedPeak(meds: number[]): number | null {
  const k = PROBE_SUSTAINED_POLLS;
  let best: number | null = null;
  for (let i = 0; i + k <= meds.length; i++) {
    const low = Math.min(...meds.slice(i, i + k));
    if (best === null || low > best) best = low;
  }
  return best;
}

/**
 * The lateness of the member's current late spell (ms): the highest L such that its typical
 * lateness (`meds`: the median of the last probes, at each poll) held at least L for
 * PROBE_SUSTAINED_POLLS polls in a row, and has not ended since: for as many polls in a row,
 * nearly all probes on time again (`tails`, their 90th percentile, below L/2), or the typical
 * probe clearly so (the median below L/4) and the late ones no later than 2L. null when fewer polls were kept. Late by a floor F
 * means this is at least F: hysteresis both ways, without state. A member paused most of the
 * time still answers some probes on time, so its median swings while its tail holds; a busy
 * machine delays some probes of every member by tens of milliseconds, so a recovered member's
 * tail may stay that late while its median is back near 0.
 */
export function lateSpell(meds: readonly number[], tails: readonly number[]): number | null {
  const k = PROBE_SUSTAINED_POLLS;
  if (meds.length < k) return null;
  // From the newest poll backwards: the lowest level a run of k polls since ended a spell at,
  // the best level the median held for k polls within, and the best of the two's minimum over
  // every start.
  let ends = Infinity;
  let held = -Infinity;
  let best = 0;
  for (let i = meds.length - k; i >= 0; i--) {
    const med = meds.slice(i, i + k);
    const tail = Math.max(...tails.slice(i, i + k));
    ends = Math.min(ends, 2 * tail, Math.max(4 * Math.max(...med), tail / 2));
    held = Math.max(held, Math.min(...med));
    best = Math.max(best, Math.min(ends, held));
    if (ends <= best) break;
  }
  return best;
}

/**
 * Fills what only the peers know about a member: the round trip they measure towards it
 * (the lower median over the peers of their latest observation). Returns new signal objects; members are matched by ID.
 */
export function withPeerViews(members: ReadonlyArray<Pick<MemberState, 'id' | 'signals'>>): MemberSignals[] {
  return members.map((m) => {
    const hex = memberIdHex(m.id);
    if (!hex) return { ...m.signals, rttFromPeers: null };
    // The lower median: with two peers, the lower one. A stalled peer measures everything slow;
    // what every peer sees is what the member is.
    const seen = members.filter((p) => p !== m).map((p) => p.signals.peerRttTo?.[hex] ?? null);
    return { ...m.signals, rttFromPeers: quantile(seen, 0.5) };
  });
}

/**
 * Which layer each server is checked at. A check status only says where the last check ended:
 * an HTTP check that can't connect reports L4CON, like a TCP check would. So: the config file
 * decides when known; else an L7 result on any server means the backend checks over HTTP; a
 * server is TCP-checked only when its check passed at layer 4 (L4OK) with no L7 result anywhere.
 * NGINX servers say their layer themselves (passive checks: the layer of the failures counted).
 */
export function checkLayers(snap: BalancerSample): (s: BalancerServerSample) => BalancerServer['checkLayer'] {
  const status = (s: BalancerServerSample) => (s.checkStatus ?? '').replace(/^\*\s*/, '');
  const cfg = snap.check?.type;
  const anyL7 = snap.servers.some((s) => status(s).startsWith('L7'));
  return (s) => {
    if (s.checkLayer === 'none') return 'none';
    if (s.checkMode === 'passive' || cfg === 'passive') return s.checkLayer;
    if (cfg === 'http') return 'L7';
    if (cfg === 'tcp') return 'L4';
    if (cfg === 'none') return 'none';
    if (anyL7) return 'L7';
    if (status(s) === 'L4OK') return 'L4';
    return status(s).startsWith('L7') ? 'L7' : s.checkLayer === 'unknown' ? 'unknown' : s.checkLayer;
  };
}

/** HAProxy's `show stat` timers as client-side latency (null when it measured nothing yet). */
export function statsTimers(t: HaproxyTimers | null, mode: 'tcp' | 'http' | null): ClientTimers | null {
  if (!t) return null;
  const http = mode === 'http';
  return {
    source: 'haproxy-stats',
    per: http ? 'request' : 'session',
    queueMs: t.qtime,
    connectMs: t.ctime,
    // In tcp mode HAProxy has no response time (it does not parse the stream).
    responseMs: http ? t.rtime : null,
    totalMs: t.ttime,
    connectHighMs: t.ctimeMax,
    responseHighMs: http ? t.rtimeMax : null,
    totalHighMs: t.ttimeMax,
    count: null,
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

/** Which member a balancer server points at: by address (or one of its aliases), else by name. */
export function serverMember(
  server: { name: string; address: string; aliases?: string[] },
  members: Array<Pick<MemberState, 'endpoint' | 'name'>>,
): string | null {
  const addrs = [server.address, ...(server.aliases ?? [])];
  const byAddr = members.find((m) => addrs.includes(hostPort(m.endpoint)));
  if (byAddr) return byAddr.endpoint;
  return members.find((m) => m.name === server.name)?.endpoint ?? null;
}

/**
 * The balancer as the detectors see it: the latest sample plus rates over the window (`samples`
 * oldest first), for HAProxy and NGINX alike. Counter resets (a balancer reload) give null
 * rates / zero errors.
 */
export function balancerView(
  type: BalancerState['type'],
  backend: string,
  samples: BalancerSample[],
  members: Array<Pick<MemberState, 'endpoint' | 'name'>>,
  error: string | null,
  checkedAt: number | null,
  /** Polls over which new-session rates are taken: the same window as the request shares. */
  rateWindowPolls = 5,
  /** The previous view: how long a server has been drained carries over. */
  prev: BalancerState | null = null,
): BalancerState {
  const last = samples[samples.length - 1];
  if (!last)
    return {
      type,
      backend,
      ok: false,
      error: error ?? 'not polled yet',
      checkedAt,
      servers: [],
      check: null,
      protocol: null,
      warnings: [],
      nginx: null,
    };
  const first = samples[Math.max(0, samples.length - 1 - rateWindowPolls)];
  const layer = checkLayers(last);
  // Errors over the last few polls only: they stop counting soon after the cause is gone.
  const errFrom = samples[Math.max(0, samples.length - 1 - ERROR_WINDOW_POLLS)];
  const dt = (last.t - first.t) / 1000;
  const activeUp = last.servers.some((s) => !s.backup && s.status.trim().toUpperCase().startsWith('UP'));
  const firstLook = !prev || prev.servers.length === 0;
  const servers: BalancerServer[] = last.servers.map((s) => {
    const old = first.servers.find((x) => x.name === s.name);
    const errOld = errFrom.servers.find((x) => x.name === s.name);
    const inc = (k: 'econ' | 'eresp' | 'wretr' | 'wredis' | 'hrsp5xx' | 'srvAbrt') =>
      errOld && s[k] >= errOld[k] ? s[k] - errOld[k] : 0;
    const sessionRate = old && dt > 0 && s.stot >= old.stot ? round4((s.stot - old.stot) / dt) : null;
    const times =
      old && s.timeCount !== undefined && old.timeCount !== undefined && s.timeCount > old.timeCount
        ? ((s.timeMsSum ?? 0) - (old.timeMsSum ?? 0)) / (s.timeCount - old.timeCount)
        : null;
    const passive = s.checkMode === 'passive' && s.maxFails !== undefined && s.failTimeoutMs !== undefined;
    return {
      name: s.name,
      member: serverMember(s, members),
      address: s.address,
      status: s.status,
      weight: s.weight,
      initialWeight: s.initialWeight,
      checkLayer: layer(s),
      checkMode: s.checkMode ?? (layer(s) === 'none' ? 'none' : 'active'),
      passive: passive ? { maxFails: s.maxFails!, failTimeoutMs: s.failTimeoutMs! } : null,
      backup: s.backup ?? s.status === 'BACKUP',
      down: s.down ?? s.status.startsWith('MAINT'),
      maxConns: s.maxConns ? s.maxConns : null,
      checkStatus: s.checkStatus,
      checkDesc: s.checkDesc,
      scur: s.scur,
      sessionRate,
      meanTimeMs: times === null ? null : Math.round(times),
      errors: {
        econ: inc('econ'),
        eresp: inc('eresp'),
        wretr: inc('wretr'),
        wredis: inc('wredis'),
        hrsp5xx: inc('hrsp5xx'),
        srvAbrt: inc('srvAbrt'),
      },
      checkCode: s.checkCode ?? null,
      drained: drainState(
        drainReason({ status: s.status, weight: s.weight, backup: s.backup ?? false }, activeUp),
        prev?.servers.find((x) => x.name === s.name)?.drained ?? null,
        last.t,
        s.lastChange ?? null,
        firstLook,
      ),
      timers: statsTimers(s.timers ?? null, s.mode ?? null),
      logTimers: null,
    };
  });
  const warnings = [...(last.configError ? [last.configError] : []), ...(last.logErrors ?? [])];
  return {
    type,
    backend,
    ok: error === null,
    error,
    checkedAt,
    servers,
    check: last.check
      ? {
          type: last.check.type,
          method: last.check.method,
          path: last.check.path,
          interMs: last.check.interMs,
          expect: last.check.expect ?? null,
        }
      : null,
    protocol: last.protocol ?? null,
    warnings,
    nginx: last.nginx
      ? {
          upstreamAt: last.nginx.upstreamAt,
          directives: last.nginx.directives,
          noLiveUpstreams: Math.max(0, last.nginx.noLiveUpstreams - (errFrom.nginx?.noLiveUpstreams ?? 0)),
          formatMissing: last.nginx.formatMissing,
          plus: last.nginx.plus,
        }
      : null,
  };
}
