// Step 1 of a poll: collect. Asks every source once (etcd members, the balancer, the logs, and
// Prometheus for the members that did not answer) and returns what they said as plain data.
// Never throws: a source's failure is a typed error in the result (`Outcome`). No analysis
// here: what the answers mean is `advance`'s job (advance.ts).
import type { PromMemberView } from '../analysis/member';
import type { AgentCollected } from '../analysis/weights/view';
import type { LogSignalWatcher } from '../logs/watch';
import type { EtcdMemberSource, MemberPoll } from '../sources/etcd';
import type { BalancerSample } from '../sources/balancer';
import { isTimeout } from '../sources/http';
import type { PrometheusSource } from '../sources/prometheus';
import { fetchMembersNow } from '../sources/prometheus-queries';
import type { ClientTimers, DimensionId, MemberSignals } from '../types';
import { type LagSource, loopLag } from './lag';
import type { EngineConfig, EngineState } from './state';

/** What the engine needs from a member source (EtcdMemberSource; a recording in replay tests). */
export type MemberSourceLike = Pick<EtcdMemberSource, 'endpoint' | 'poll' | 'close'> &
  Partial<Pick<EtcdMemberSource, 'probe'>>;

/**
 * How long the other calls of a poll wait for the probes (ms): long enough for every member that
 * answers at all, short enough that a hung member does not hold the poll up.
 */
export const PROBE_WAIT_MS = 200;
/** HaproxySource or NginxSource (or a recording): one poll of the balancer. */
export type BalancerSourceLike = { poll(): Promise<BalancerSample>; close?(): Promise<void> };

export interface Sources {
  /** Per configured endpoint; null for members read from Prometheus only. */
  members: Array<MemberSourceLike | null>;
  prometheus: PrometheusSource | null;
  balancer: BalancerSourceLike | null;
  logs: LogSignalWatcher | null;
  /** The weights agent's report for this cluster (what it handed out since the last poll). */
  agent?: { collect(): AgentCollected | null } | null;
}

/** A source's answer, or why there is none. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** One call to a source: when it started, how long it took, what it said. */
export interface Timed<T> {
  at: number;
  latencyMs: number;
  result: Outcome<T>;
}

export interface PromMemberNow {
  view: PromMemberView;
  values: Record<DimensionId, number | null>;
  /** Health signals Prometheus can tell (the fleet's queries: leader changes, WAL fsync p99, ...). */
  signals?: Partial<MemberSignals>;
}

export type PromCollected =
  /** Current values of the members that did not answer (by endpoint index). */
  | ({ kind: 'members' } & Timed<ReadonlyMap<number, PromMemberNow>>)
  /** Prometheus had failed and nobody needed it: a cheap query to see whether it is back. */
  | ({ kind: 'ping' } & Timed<null>);

export interface LogsCollected {
  at: number;
  latencyMs: number;
  /** Per member endpoint: signal label → matching lines over the diagnosis window. */
  signals: Record<string, Record<string, number>> | null;
  /** Per member endpoint: latency as clients saw it in the balancer's log lines (null: no balancer log read). */
  timers: Record<string, ClientTimers> | null;
  /** Log sources that could not be read (a missing file, Loki down), per member. */
  problems: Array<{ endpoint: string; source: string; message: string }>;
  /** The watcher itself failed (a bug or an unexpected error). */
  error: string | null;
}

/** Everything one poll learned, as plain data: the input of `advance`. */
export interface Collected {
  /** Per configured endpoint, in order: its poll, the poll's failure, or null when not polled directly. */
  members: Array<Outcome<MemberPoll> | null>;
  /** The Prometheus call of this poll, null when none was made. */
  prometheus: PromCollected | null;
  /** null when no balancer is read. */
  balancer: Timed<BalancerSample> | null;
  /** null when no log source is configured. */
  logs: LogsCollected | null;
  /** What the weights agent handed out for this cluster since the last poll; null when it does not answer for it. */
  agent?: AgentCollected | null;
  /** Wall time of the whole collect step (ms). */
  durationMs: number;
  /** How long Fulcrum's own event loop stalled during the collect step (ms): see lag.ts. */
  stalledMs: number;
  /** How busy Fulcrum's event loop was during the collect step (0..1): see lag.ts. */
  loopBusy: number;
  /** How much later than planned the poll started (ms). */
  startedLateMs: number;
}

/** What this poll asks for, decided from the state. Pure. */
export interface CollectPlan {
  /** The tick this poll will be (state.ticks + 1). */
  tick: number;
  /** Ask for the member list too (every `memberListEvery` polls, and until one is known). */
  memberList: boolean;
  /**
   * The member (endpoint index) asked for what is the same from every member: the alarm list,
   * and the member list when due. -1 when no member is polled directly.
   */
  clusterFrom: number;
}

export function planCollect(s: EngineState, c: EngineConfig): CollectPlan {
  const tick = s.ticks + 1;
  // Take turns, skipping members that failed their last poll.
  const direct = c.cluster.endpoints.flatMap((e, i) => (e.direct ? [i] : []));
  let clusterFrom = -1;
  for (let k = 0; k < direct.length && clusterFrom < 0; k++) {
    const i = direct[(tick + k) % direct.length];
    if (!s.failures[i]) clusterFrom = i;
  }
  if (clusterFrom < 0 && direct.length) clusterFrom = direct[tick % direct.length];
  return { tick, memberList: tick % c.memberListEvery === 1 || s.knownMembers.length === 0, clusterFrom };
}

/** A member answered when its Status RPC or /health did. */
export function answeredPoll(p: MemberPoll | null): boolean {
  return Boolean(p && (p.status || p.health));
}

export function pollOf(o: Outcome<MemberPoll> | null): MemberPoll | null {
  return o?.ok ? o.value : null;
}

/**
 * What to ask Prometheus, given who answered. Members Fulcrum can't reach are read from
 * Prometheus, except a directly polled member Prometheus just called down: it is not asked about
 * again for a few polls (a dead member would otherwise cost a dozen queries every poll). When
 * Prometheus is failing and nobody needs it, it is pinged every 10 polls. Pure.
 */
export function planPrometheus(
  s: EngineState,
  c: EngineConfig,
  tick: number,
  answered: boolean[],
): { kind: 'members'; indexes: number[] } | { kind: 'ping' } | null {
  if (!c.has.prometheus) return null;
  const indexes = answered.map((a, i) => (a || s.promQuietUntil[i] > tick ? -1 : i)).filter((i) => i >= 0);
  if (indexes.length > 0) return { kind: 'members', indexes };
  if (s.sources.prometheus && !s.sources.prometheus.ok && tick % 10 === 1) return { kind: 'ping' };
  return null;
}

type MembersNow = Awaited<ReturnType<typeof fetchMembersNow>>;

/**
 * The Prometheus fallback asked early, while the member polls run: for members that did not
 * answer the last poll either and whose probe has failed or not answered yet. Asked after the
 * polls, a dead member would make every poll last the etcd deadline plus the queries, overrun the
 * interval and slow the page down just when someone watches it. Only members that already missed
 * a poll: a probe that is merely slow must not cost a dozen queries.
 */
function askEarly(
  prom: NonNullable<Sources['prometheus']>,
  state: EngineState,
  c: EngineConfig,
  tick: number,
  sources: Sources,
  probeSaid: ReadonlyArray<boolean | undefined>,
  now: () => number,
): { indexes: number[]; call: Promise<Timed<MembersNow>> } | null {
  // Members read from Prometheus only are asked every poll anyway: with the others, not after them.
  const likelyAnswers = sources.members.map(
    (s, i) => s !== null && (probeSaid[i] === true || (probeSaid[i] === undefined && state.failures[i] === 0)),
  );
  if (likelyAnswers.every(Boolean)) return null;
  const plan = planPrometheus(state, c, tick, likelyAnswers);
  if (plan?.kind !== 'members') return null;
  const indexes = plan.indexes;
  return { indexes, call: timed(now, () => fetchMembersNow(prom, c.cluster, indexes, c.rateWindow)) };
}

/** The early answer cut to the members this poll asks about. */
function onlyAsked(r: Timed<MembersNow>, indexes: number[]): Timed<MembersNow> {
  if (!r.result.ok) return r;
  const value: MembersNow = new Map([...r.result.value].filter(([i]) => indexes.includes(i)));
  return { ...r, result: { ok: true, value } };
}

/** Waits for `p` (never rejects), at most `ms`. */
async function waitAtMost(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.catch(() => undefined),
    new Promise<void>((r) => {
      timer = setTimeout(r, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function timed<T>(now: () => number, call: () => Promise<T>): Promise<Timed<T>> {
  const at = now();
  try {
    const value = await call();
    return { at, latencyMs: now() - at, result: { ok: true, value } };
  } catch (e) {
    return { at, latencyMs: now() - at, result: { ok: false, error: errorText(e) } };
  }
}

async function collectLogs(watcher: LogSignalWatcher, c: EngineConfig, t: number, now: () => number) {
  const at = now();
  let error: string | null = null;
  const problems: LogsCollected['problems'] = [];
  try {
    const byMember = await watcher.poll(t);
    for (const m of byMember.values())
      for (const e of m.errors) problems.push({ endpoint: m.endpoint, source: e.source, message: e.message });
  } catch (e) {
    error = errorText(e);
  }
  let signals: LogsCollected['signals'] = null;
  let timers: LogsCollected['timers'] = null;
  try {
    // What was counted so far stays evidence even when this call failed.
    signals = watcher.totals(c.logWindowMs, t);
    timers = watcher.timers(c.logWindowMs, t);
  } catch (e) {
    error ??= errorText(e);
  }
  return { at, latencyMs: now() - at, signals, timers, problems, error };
}

/**
 * Step 1 of a poll. `t` is the poll's time (read once by the caller); `now` measures latencies.
 * Resolves, never rejects: each source's failure is in its part of the result.
 */
export async function collect(
  sources: Sources,
  plan: CollectPlan,
  state: EngineState,
  c: EngineConfig,
  t: number,
  now: () => number,
  timing: { lag: LagSource; startedLateMs: number } = { lag: loopLag, startedLateMs: 0 },
): Promise<Collected> {
  const started = now();
  // The stall is measured on the wall clock (the sampler's), whatever clock `now` is.
  const wallStart = Date.now();
  const busyMark = timing.lag.mark();
  // Probes first, all members at once, nothing else of this poll in flight: a probe's time is the
  // member's plus whatever kept Fulcrum's event loop busy meanwhile, which the sampler measures.
  const probes = sources.members.map((s) => (s?.probe ? s.probe() : null));
  // What each probe said so far: true answered, false failed, undefined still waiting.
  const probeSaid: Array<boolean | undefined> = probes.map(() => undefined);
  probes.forEach((p, i) => {
    p?.then(
      (r) => {
        probeSaid[i] = r.status !== null;
      },
      () => {
        probeSaid[i] = false;
      },
    );
  });
  let lagMs: number | null = null;
  if (probes.some(Boolean)) {
    await waitAtMost(Promise.all(probes), PROBE_WAIT_MS);
    lagMs = Math.round(timing.lag.stalledMs(wallStart, Date.now()) * 100) / 100;
  }
  const prom = sources.prometheus;
  const early = prom ? askEarly(prom, state, c, plan.tick, sources, probeSaid, now) : null;
  const [members, balancer, logs] = await Promise.all([
    Promise.all(
      sources.members.map(async (s, i): Promise<Outcome<MemberPoll> | null> => {
        if (!s) return null;
        const cluster = i === plan.clusterFrom;
        const probe = probes[i];
        try {
          return {
            ok: true,
            value: await s.poll({
              memberList: cluster && plan.memberList,
              alarms: cluster,
              metrics: true,
              // A member that missed the last poll and whose probe is silent is likely dead: its
              // calls get what is left of the deadline, so it cannot make the poll overrun the
              // interval. Any other gets a whole deadline: a slow but alive member (CPU-throttled,
              // say) needs it to send its /metrics page, and its counters are the evidence.
              ...(state.failures[i] > 0 && probeSaid[i] !== true ? { deadlineAt: wallStart + c.timeoutMs } : {}),
              ...(probe ? { probe: { result: probe, lagMs } } : {}),
            }),
          };
        } catch (e) {
          return { ok: false, error: errorText(e) };
        }
      }),
    ),
    sources.balancer ? timed(now, () => sources.balancer!.poll()) : Promise.resolve(null),
    sources.logs ? collectLogs(sources.logs, c, t, now) : Promise.resolve(null),
  ]);

  let prometheus: PromCollected | null = null;
  // While Fulcrum stalls, a member that timed out is not asked about elsewhere (advance does not
  // hold the timeout against it, and another query would only add to the load).
  const stalled = timing.lag.stalledMs(wallStart, Date.now()) >= c.stallToleranceMs;
  const heard = members.map((m) => {
    const p = pollOf(m);
    return answeredPoll(p) || (stalled && p !== null && isTimeout(p.statusError));
  });
  const ask = prom ? planPrometheus(state, c, plan.tick, heard) : null;
  if (prom && ask?.kind === 'members') {
    const covered = early !== null && ask.indexes.every((i) => early.indexes.includes(i));
    const r = covered
      ? onlyAsked(await early.call, ask.indexes)
      : await timed(now, () => fetchMembersNow(prom, c.cluster, ask.indexes, c.rateWindow));
    prometheus = { kind: 'members', ...r };
  } else if (prom && ask?.kind === 'ping') {
    const r = await timed(now, () => prom.query('vector(1)').then(() => null));
    prometheus = { kind: 'ping', ...r };
  }
  const agent = sources.agent ? sources.agent.collect() : null;
  return {
    members,
    prometheus,
    balancer,
    logs,
    agent,
    durationMs: now() - started,
    stalledMs: timing.lag.stalledMs(wallStart, Date.now()),
    loopBusy: timing.lag.busySince(busyMark),
    startedLateMs: timing.startedLateMs,
  };
}
