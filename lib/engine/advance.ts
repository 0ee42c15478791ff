// Step 2 of a poll: advance. Pure: the previous state, what this poll collected, the config and
// the poll's time go in; the next state and the delta to publish come out. No I/O, no clock
// reads, no globals, and `prev` is never changed (see state.ts). Replay tests drive this function
// with recorded polls (replay.test.ts).
//
// Inputs are explicit on purpose: whatever a later change needs to know about a poll (say,
// that it ran late) becomes a field of `Collected`, never a read of the clock here.
import { diagnose } from '../analysis/diagnosis/detectors';
import { trackFindings } from '../analysis/diagnosis/tracker';
import { detectEvents } from '../analysis/events';
import { buildFrame, round4 } from '../analysis/frames';
import { drainedNow } from '../analysis/intent';
import { isLive, leaderIndex } from '../analysis/live';
import { prometheusOnlyChecks } from '../analysis/diagnosis/prometheus-only';
import { deriveMember, emptySignals } from '../analysis/member';
import { type CounterDelta, diffCounters } from '../analysis/rates';
import { DEFAULT_NOISE_FLOORS } from '../analysis/score';
import { scoreMembers } from '../analysis/memberScores';
import { balancerView, memberSignals, probeSamples, pushProbe, withPeerViews } from '../analysis/signals';
import { advanceWeights } from '../analysis/weights/view';
import { memberValues } from '../analysis/values';
import { emptyDimRecord } from '../dimensions';
import { redactPaths } from '../logs/present';
import type { EtcdAlarm, MemberPoll } from '../sources/etcd';
import { isTimeout } from '../sources/http';
import { makeDelta } from '../stream/delta';
import { type ClusterDelta, type ClusterSources, DIMENSION_IDS, type MemberState, type SourceStatus } from '../types';
import { answeredPoll, type Collected, pollOf, type PromMemberNow } from './collect';
import { pushCapped } from './ring';
import {
  clusterStatus,
  type EngineConfig,
  type EngineState,
  MAX_EVENTS,
  type Overload,
  overloadOf,
  PROM_DOWN_QUIET_POLLS,
  sourceFailed,
  sourceOk,
  toClusterState,
} from './state';

export interface AdvanceResult {
  state: EngineState;
  /**
   * What the stream sends for this poll: computed when first read (once), so a poll nobody
   * streams does not pay for its diff (500 discovered clusters on a wall: a third of a fleet tick).
   */
  readonly delta: ClusterDelta;
  /** Fulcrum's own lateness in this poll, and the interval that follows. */
  overload: Overload;
  /** Per member: it did not answer, but only because Fulcrum stalled (not held against it). */
  excused: boolean[];
}

/** Longest log-source error text kept in the logs source status. */
const MAX_LOGS_ERROR = 500;

export function advance(prev: EngineState, c: Collected, cfg: EngineConfig, t: number): AdvanceResult {
  const ticks = prev.ticks + 1;
  const n = cfg.cluster.endpoints.length;
  // Fulcrum's own lateness first: when its event loop stalled, a timeout says nothing about the
  // member (the answer may have sat unread), so a timed-out part counts as not asked.
  const overload = overloadOf(prev, cfg, c, t);
  // But a member that times out poll after poll while its peers answer in the same polls is
  // frozen or cut off, whatever Fulcrum's lateness: its timeouts are excused for a few polls
  // only, or a saturated Fulcrum would never call a frozen member down.
  const raw = c.members.map(pollOf);
  const rawAnswered = raw.map(answeredPoll);
  const excusedInRow = raw.map((p, i) =>
    overload.stalled && p !== null && !rawAnswered[i] && timedOut(p) && rawAnswered.some((a, j) => a && j !== i)
      ? (prev.excusedInRow[i] ?? 0) + 1
      : 0,
  );
  const polls = raw.map((p, i) =>
    p && overload.stalled && excusedInRow[i] <= MAX_EXCUSED_IN_ROW ? excuseTimeouts(p) : p,
  );
  const answered = polls.map(answeredPoll);
  const excused = polls.map(
    (p, i) => overload.stalled && !answered[i] && p !== null && p.statusError === null && p.healthError === null,
  );
  const failures = answered.map((a, i) => (a ? 0 : excused[i] ? prev.failures[i] : prev.failures[i] + 1));
  let knownMembers = prev.knownMembers;
  for (const p of polls) if (p?.members) knownMembers = p.members;
  const clusterAlarms: EtcdAlarm[] | null = polls.find((p) => p?.alarms)?.alarms ?? null;

  // Prometheus: values of the members that did not answer, and who not to ask again for a while.
  let promData: ReadonlyMap<number, PromMemberNow> | null = null;
  const promQuietUntil = prev.promQuietUntil.slice();
  let prometheusStatus = prev.sources.prometheus;
  const pc = c.prometheus;
  if (pc && prometheusStatus) {
    if (pc.result.ok) {
      if (pc.kind === 'members') {
        promData = pc.result.value;
        for (const [i, r] of promData)
          if (!r.view.up && cfg.cluster.endpoints[i].direct) promQuietUntil[i] = ticks + PROM_DOWN_QUIET_POLLS;
      }
      prometheusStatus = sourceOk(pc.at, pc.latencyMs);
    } else if (!(overload.stalled && isTimeout(pc.result.error)))
      prometheusStatus = sourceFailed(prometheusStatus, pc.result.error, pc.latencyMs);
  }

  // Members, their counter deltas, and this poll's values (instant for the frame, windowed for scores).
  const restarted = new Set<string>();
  const instant = emptyDimRecord<(number | null)[]>(() => new Array(n).fill(null));
  const windowed = emptyDimRecord<(number | null)[]>(() => new Array(n).fill(null));
  const prevMembers = prev.members;
  const lastCounters = prev.lastCounters.slice();
  const deltas = prev.deltas.slice();
  // Probes: each member's time against the fastest member's in this poll.
  const probeNow = probeSamples(polls.map((p, i) => (answered[i] ? (p?.probe ?? null) : null)));
  const probes = prev.probes.map((ring, i) => {
    const x = probeNow[i];
    if (x) return pushProbe(ring, x, cfg.probeCapacity);
    return answered[i] || excused[i] ? ring : [];
  });
  const members: MemberState[] = [];
  for (let i = 0; i < n; i++) {
    const poll = polls[i];
    const ep = cfg.cluster.endpoints[i];
    const m = deriveMember({
      endpoint: ep,
      prev: prevMembers[i],
      poll,
      failures: failures[i],
      downAfter: cfg.downAfter,
      knownMembers,
      clusterAlarms,
      prom: promData?.get(i)?.view ?? null,
      t,
      excused: overload.stalled,
    });
    if (answered[i] && poll?.counters) {
      const last = lastCounters[i];
      let d: CounterDelta | null = null;
      if (last) {
        d = diffCounters(last.counters, poll.counters, (poll.t - last.t) / 1000);
        if (d.reset) restarted.add(ep.url);
        deltas[i] = pushCapped(deltas[i], d, cfg.deltaCapacity);
      }
      lastCounters[i] = { counters: poll.counters, t: poll.t };
      const dbSize = poll.status?.dbSize ?? null;
      const inst = memberValues(d ? [d] : [], poll.counters, dbSize);
      const win = memberValues(deltas[i].slice(-cfg.scoreWindowPolls), poll.counters, dbSize);
      for (const id of DIMENSION_IDS) {
        instant[id][i] = inst[id];
        windowed[id][i] = win[id];
      }
    } else if (m.source === 'prometheus') {
      const vals = promData?.get(i)?.values;
      for (const id of DIMENSION_IDS) {
        instant[id][i] = vals?.[id] ?? null;
        windowed[id][i] = vals?.[id] ?? null;
      }
    } else if (excused[i]) {
      // Not heard this poll through Fulcrum's fault: its window stays as it was.
      const last = lastCounters[i];
      if (last) {
        const win = memberValues(deltas[i].slice(-cfg.scoreWindowPolls), last.counters, m.dbSizeBytes);
        for (const id of DIMENSION_IDS) windowed[id][i] = win[id];
      }
    } else if (!answered[i]) {
      // Gone: its window restarts when it comes back (the restart shows as a counter reset).
      deltas[i] = [];
    }
    members.push(m);
  }

  // Health signals: a follower whose applied index stalls while the leader's moves.
  const up = members.map(isLive);
  const leader = leaderIndex(members);
  const prevLeader = leaderIndex(prevMembers);
  const leaderMoved =
    leader >= 0 &&
    prevLeader >= 0 &&
    members[leader].raftIndex !== null &&
    prevMembers[prevLeader].raftIndex !== null &&
    members[leader].raftIndex !== prevMembers[prevLeader].raftIndex;
  members.forEach((m, i) => {
    const appliedStalled =
      leaderMoved &&
      i !== leader &&
      answered[i] &&
      m.raftAppliedIndex !== null &&
      m.raftAppliedIndex === prevMembers[i].raftAppliedIndex;
    m.signals = excused[i]
      ? prevMembers[i].signals
      : answered[i]
        ? memberSignals({
            deltas: deltas[i],
            windowPolls: cfg.cluster.thresholds.windowPolls,
            minutePolls: cfg.minutePolls,
            scorePolls: cfg.scoreWindowPolls,
            latest: polls[i]?.counters ?? null,
            revision: polls[i]?.status?.revision ?? null,
            appliedStalled,
            prev: prevMembers[i].signals,
            probes: probes[i],
          })
        : m.source === 'prometheus' && promData?.get(i)?.signals
          ? { ...emptySignals(), ...promData.get(i)!.signals }
          : { ...prevMembers[i].signals, appliedStalledPolls: 0 };
  });
  withPeerViews(members).forEach((s, i) => {
    members[i].signals = s;
  });

  // The balancer as the detectors see it.
  let balancerSnaps = prev.balancerSnaps;
  let balancer = prev.balancer;
  let balancerStatus = prev.sources.balancer;
  const bc = c.balancer;
  if (bc && cfg.balancerRef) {
    const snap = bc.result.ok ? bc.result.value : null;
    const error = bc.result.ok ? null : bc.result.error;
    // A timeout while Fulcrum stalled is Fulcrum's lateness, not the balancer's: keep what was known.
    if (snap || !(overload.stalled && isTimeout(error))) {
      if (snap) {
        balancerSnaps = pushCapped(balancerSnaps, snap, cfg.cluster.thresholds.windowPolls);
        balancerStatus = sourceOk(t, bc.latencyMs);
      } else balancerStatus = sourceFailed(balancerStatus, error ?? 'failed', null);
      balancer = balancerView(
        cfg.balancerRef.type,
        cfg.balancerRef.backend,
        snap ? balancerSnaps : [],
        members,
        error,
        snap ? t : (prev.balancer?.checkedAt ?? null),
        cfg.scoreWindowPolls,
        prev.balancer,
      );
    }
  }
  // Latency as clients saw it in the balancer's log lines, beside its own counters.
  const logTimers = c.logs?.timers;
  if (balancer && logTimers !== undefined)
    balancer = {
      ...balancer,
      servers: balancer.servers.map((s) => ({ ...s, logTimers: (s.member && logTimers?.[s.member]) || null })),
    };
  // The operator's intent: members drained at the balancer expect no traffic.
  // (A failed balancer read keeps the last known intent rather than flipping every expectation.)
  const drained = drainedNow(members, balancer, prev.balancer);

  // Scores and the history column.
  const frame = buildFrame({
    t,
    origin: 'poll',
    up,
    leader,
    weights: cfg.weights,
    endpoints: cfg.endpoints,
    values: instant,
    drained,
  });
  const scored = scoreMembers(members, windowed, cfg.cluster.weighted, drained);
  members.forEach((m, i) => {
    m.dims = scored.dims[i];
  });

  // Weights: configured, runtime, proposed; a change at the balancer and its verification; the agent.
  // The request shares' window began at the earliest member's first counted poll.
  let sharesFrom: number | null = null;
  lastCounters.forEach((last, i) => {
    if (!last) return;
    const span = deltas[i].slice(-cfg.scoreWindowPolls).reduce((sum, d) => sum + d.dt, 0);
    const from = last.t - span * 1000;
    if (sharesFrom === null || from < sharesFrom) sharesFrom = from;
  });
  const w = advanceWeights({
    t,
    members,
    configured: cfg.weights,
    balancer,
    balancerRef: cfg.balancerRef,
    minLatencySamples: cfg.cluster.thresholds.minLatencySamples,
    probeLateMs: cfg.cluster.thresholds.stallProbeExcessMs,
    settleMs: cfg.settleMs,
    requestShares:
      (scored.scores.requests.total ?? 0) >= DEFAULT_NOISE_FLOORS.requests
        ? scored.shares.requests.map((x) => round4(x))
        : null,
    sharesFrom,
    prev: prev.weights,
    agent: c.agent ?? null,
  });

  // Events; on the first poll only what is already wrong.
  const first = ticks === 1;
  const newEvents = [
    ...detectEvents(first ? null : prevMembers, members, t, restarted).filter(
      (e) => !(first && e.kind === 'member-up'),
    ),
    ...w.events,
  ];
  let events = prev.events;
  for (const e of newEvents) events = pushCapped(events, e, MAX_EVENTS);

  // Diagnosis, then hysteresis.
  const observedChanges = events.filter(
    (e) => e.kind === 'leader-change' && e.t > t - 60_000 && e.member !== null,
  ).length;
  const counted = members.map((m) => m.signals.leaderChanges).filter((x): x is number => x !== null);
  const diag = diagnose({
    cluster: cfg.name,
    t,
    pollIntervalMs: cfg.pollIntervalMs,
    members,
    scores: scored.scores,
    weighted: cfg.cluster.weighted,
    balancer,
    balancerRef: cfg.balancerRef,
    leaderChangesLastMinute: counted.length || ticks > 1 ? Math.max(observedChanges, ...counted) : null,
    logSignals: c.logs?.signals ?? null,
    thresholds: cfg.cluster.thresholds,
  });
  // Without a directly polled member, what needs one says so.
  const checks = cfg.has.etcd ? diag.checks : prometheusOnlyChecks(diag.checks);
  const tracked = trackFindings(prev.tracker, diag.candidates, t, {
    cluster: cfg.name,
    raiseAfter: cfg.cluster.thresholds.raiseAfterPolls,
    clearAfter: cfg.cluster.thresholds.clearAfterPolls,
    keepResolvedMs: cfg.historyMs,
    // The newest only: every stream's first state carries them (see toStreamState).
    keepResolvedMax: 20,
  });

  const durationMs = Math.max(0, ...polls.map((p) => p?.durationMs ?? 0));
  const sources: ClusterSources = {
    etcd: !cfg.has.etcd
      ? null
      : answered.some(Boolean)
        ? sourceOk(t, durationMs)
        : excused.some(Boolean) && excused.every((e, i) => e || !cfg.cluster.endpoints[i].direct)
          ? prev.sources.etcd
          : sourceFailed(prev.sources.etcd, 'no member answered', durationMs),
    prometheus: prometheusStatus,
    balancer: balancerStatus,
    logs: logsStatus(prev.sources.logs, c, t),
    engine: overload.cause
      ? { ok: false, error: overload.cause, lastOk: prev.sources.engine.lastOk, latencyMs: c.durationMs }
      : sourceOk(t, c.durationMs),
  };
  const status = clusterStatus(members);
  const seq = prev.seq + 1;
  const state: EngineState = {
    ticks,
    seq,
    updatedAt: t,
    status,
    members,
    knownMembers,
    failures,
    excusedInRow,
    promQuietUntil,
    lastCounters,
    deltas,
    probes,
    frames: pushCapped(prev.frames, frame, cfg.historyCapacity),
    events,
    scores: scored.scores,
    balancerSnaps,
    balancer,
    tracker: tracked.state,
    findings: tracked.active,
    checks,
    sources,
    weights: w.weights,
    intervalMs: overload.intervalMs,
    calmPolls: overload.calmPolls,
    overloadSince: overload.overloadSince,
  };
  let delta: ClusterDelta | null = null;
  return {
    state,
    overload,
    excused,
    get delta() {
      delta ??= makeDelta(toClusterState(prev, cfg), toClusterState(state, cfg), newEvents);
      return delta;
    },
  };
}

/** The logs source: failing while a configured file or stream can't be read, with which and why. */
/** What went wrong reading the logs this poll, as one line (with file paths: for the server log); null when nothing. */
export function logsProblem(l: Collected['logs']): string | null {
  if (!l || (l.error === null && l.problems.length === 0)) return null;
  return l.error ?? [...new Set(l.problems.map((p) => `${p.source} log: ${p.message}`))].join('; ');
}

function logsStatus(prev: SourceStatus | null, c: Collected, t: number): SourceStatus | null {
  const l = c.logs;
  if (!prev || !l) return prev;
  const problem = logsProblem(l);
  if (problem === null) return sourceOk(t, l.latencyMs);
  // The state goes to every viewer: file paths stay out of it (the server log and admins in
  // the logs API see them).
  const why = redactPaths(problem);
  return sourceFailed(prev, why.length > MAX_LOGS_ERROR ? `${why.slice(0, MAX_LOGS_ERROR - 1)}…` : why, l.latencyMs);
}

/**
 * Polls in a row a member's timeouts are excused while its peers answered: past this, they count
 * (with the down threshold, a frozen member is called down after a few more polls even while
 * Fulcrum is saturated).
 */
export const MAX_EXCUSED_IN_ROW = 3;

/** Some part of the poll timed out. */
function timedOut(p: MemberPoll): boolean {
  return [p.statusError, p.healthError, p.metricsError].some((e) => e !== null && isTimeout(e));
}

/** A poll with its timed-out parts taken as not asked (Fulcrum stalled while they ran). */
function excuseTimeouts(p: MemberPoll): MemberPoll {
  const status = p.statusError !== null && isTimeout(p.statusError);
  const health = p.healthError !== null && isTimeout(p.healthError);
  const metrics = p.metricsError !== null && isTimeout(p.metricsError);
  if (!status && !health && !metrics) return p;
  return {
    ...p,
    statusError: status ? null : p.statusError,
    healthError: health ? null : p.healthError,
    metricsError: metrics ? null : p.metricsError,
  };
}
