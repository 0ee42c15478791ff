// The weights agent's decision for one server, each time HAProxy's agent-check asks. Pure: the
// member's agent state, what Fulcrum knows now and the time go in; the reply line and the next
// state come out. lib/weights/agent.ts holds the states, the TCP listener and the audit log.
//
// HAProxy's agent-check protocol (configuration manual, "agent-check"): the agent answers one line
// of words; "75%" sets the server's weight to 75 % of its initial (configured) weight, "drain" and
// "ready" set and clear the DRAIN admin state, and words the agent does not send leave the server
// as it is. A reply without a percentage changes no weight; an empty line changes nothing.
//
// The policy:
// - Start: the first answer for a server is its weight at the balancer now (HAProxy's runtime
//   weight / initial weight), held for settleSeconds: a (re)started Fulcrum never jumps.
// - Slower than its peers (capacity factor f below 1 − deadband): the percentage goes toward
//   percent × f (multiplicative decrease: the factor is measured at the current weight).
// - As fast as its peers, or Fulcrum's data for the cluster is stale: toward 100 % (the configured
//   weight). No data, or a signal not decided yet (propose.ts: measured false): held.
// - Never below `min`, never above `max`, never more than `maxStepPercent` points within any
//   60 s (checked against every answer of the last minute), at most one change per settleSeconds,
//   and no move smaller than the deadband (hysteresis) except the last steps back to 100 %.
// - Never drains on its own: "drain" only with drainDown, for a member that Fulcrum's own checks
//   call down while the balancer still has it UP; "ready" only to undo its own drain.
import type { MemberStatus } from '../../types';
import type { CapacityFactor } from './propose';

export interface AgentLimits {
  /** Lowest and highest percentage of the configured weight handed out. */
  min: number;
  max: number;
  /** Most points the percentage moves within any 60 s. */
  maxStepPercent: number;
  /** Least time between two changes of one server's percentage. */
  settleSeconds: number;
  /** May answer "drain" for a member down by Fulcrum's checks and still UP at the balancer. */
  drainDown: boolean;
  /** Moves smaller than this many points are not made (hysteresis). */
  deadbandPercent: number;
}

export const STEP_WINDOW_MS = 60_000;

export interface AgentMemberState {
  /** Percentage last handed out; null before the first answer. */
  percent: number | null;
  /** When the percentage last changed (or was taken over). */
  changedAt: number | null;
  /**
   * The percentages handed out within the last minute, each with the last time it was, oldest first:
   * the step limit is checked against each (what HAProxy applied, not only what Fulcrum decided).
   */
  history: ReadonlyArray<{ t: number; percent: number }>;
  /** Fulcrum drained this server ("draining") or is undoing that ("undraining"). */
  drain: 'draining' | 'undraining' | null;
}

export const NEW_MEMBER_STATE: AgentMemberState = { percent: null, changedAt: null, history: [], drain: null };

export interface AgentInput {
  t: number;
  /** Fulcrum's data for the cluster is older than its stale limit. */
  stale: boolean;
  /** The member's status by Fulcrum's own checks; null when unknown. */
  memberStatus: MemberStatus | null;
  /** The server at the balancer now (runtime API), null when unknown. */
  server: { status: string; weight: number; initialWeight: number | null } | null;
  /** The member's capacity factor (propose.ts), null when unknown. */
  factor: CapacityFactor | null;
}

export interface AgentDecision {
  /** The line written to HAProxy, newline-terminated. */
  reply: string;
  before: number | null;
  percent: number | null;
  /** What HAProxy is told changed (a new percentage, the first answer, drain or ready). */
  changed: boolean;
  why: string;
  state: AgentMemberState;
}

/** The server's weight at the balancer as a percentage of its initial weight (null: unknown). */
export function runtimePercent(server: AgentInput['server']): number | null {
  if (!server || server.initialWeight === null || !(server.initialWeight > 0)) return null;
  return Math.round((server.weight / server.initialWeight) * 100);
}

function reply(words: string[]): string {
  return `${words.join(' ')}\n`;
}

/** The range a new percentage must stay in: within maxStep of every answer of the last minute. */
export function stepRange(state: AgentMemberState, t: number, limits: AgentLimits): { lo: number; hi: number } {
  let lo = -Infinity;
  let hi = Infinity;
  for (const h of state.history) {
    if (h.t < t - STEP_WINDOW_MS) continue;
    lo = Math.max(lo, h.percent - limits.maxStepPercent);
    hi = Math.min(hi, h.percent + limits.maxStepPercent);
  }
  if (state.percent !== null) {
    lo = Math.max(lo, state.percent - limits.maxStepPercent);
    hi = Math.min(hi, state.percent + limits.maxStepPercent);
  }
  return { lo: Math.ceil(lo), hi: Math.floor(hi) };
}

/** Points one change may move: the minute's step spread over the changes settleSeconds allows. */
export function stepPerChange(limits: AgentLimits): number {
  return Math.max(1, Math.ceil((limits.maxStepPercent * Math.min(60, limits.settleSeconds)) / 60));
}

/** The state after answering `percent` at `t`: the answer joins the last minute's (stamped with when it was last handed out). */
function stamped(s: AgentMemberState, t: number): AgentMemberState {
  if (s.percent === null) return s;
  const recent = s.history.filter((h) => h.t >= t - STEP_WINDOW_MS);
  const last = recent[recent.length - 1];
  const history =
    last && last.percent === s.percent
      ? [...recent.slice(0, -1), { t, percent: s.percent }]
      : [...recent, { t, percent: s.percent }];
  return { ...s, history };
}

function withChange(s: AgentMemberState, t: number, percent: number): AgentMemberState {
  return { ...s, percent, changedAt: t };
}

export function decide(prev: AgentMemberState, input: AgentInput, limits: AgentLimits): AgentDecision {
  const { t } = input;
  const before = prev.percent;
  const hold = (why: string, s: AgentMemberState = prev, extra: string[] = []): AgentDecision => ({
    reply: reply(s.percent === null ? extra : [...extra, `${s.percent}%`]),
    before,
    percent: s.percent,
    changed: extra.length > 0 || s.percent !== before,
    why,
    state: stamped(s, t),
  });

  // Start: take over the balancer's weight as it is.
  let state = prev;
  if (state.percent === null) {
    const now = runtimePercent(input.server);
    if (now === null)
      return {
        reply: '\n',
        before,
        percent: null,
        changed: false,
        why: 'no weight known at the balancer yet: HAProxy keeps its weight',
        state,
      };
    state = withChange(state, t, now);
    return hold(
      `took over at the balancer's current weight (${now} % of configured); held ${limits.settleSeconds} s`,
      state,
    );
  }

  // Drain: only for a member down by Fulcrum's own checks and still UP at the balancer.
  const down = !input.stale && input.memberStatus === 'down';
  const serverUp = input.server?.status.toUpperCase().startsWith('UP') ?? false;
  if (state.drain === 'draining') {
    if (down) return { ...hold('member still down by Fulcrum’s checks: drain kept', state, ['drain']), changed: false };
    state = { ...state, drain: 'undraining' };
    return hold('member back (or data stale): undoing Fulcrum’s own drain', state, ['ready']);
  }
  if (state.drain === 'undraining') {
    const stillDrained = input.server?.status.toUpperCase().startsWith('DRAIN') ?? false;
    if (stillDrained) return { ...hold('balancer still shows DRAIN: ready again', state, ['ready']), changed: false };
    state = { ...state, drain: null };
  }
  if (limits.drainDown && down && serverUp) {
    state = { ...state, drain: 'draining' };
    return hold('member down by Fulcrum’s checks and still UP at the balancer: drain (drainDown)', state, ['drain']);
  }

  // Target.
  const percent = state.percent!;
  let target: number;
  let why: string;
  const f = input.factor;
  if (input.stale) {
    target = 100;
    why = 'Fulcrum’s data for the cluster is stale: back toward the configured weight';
  } else if (input.memberStatus !== 'up' && input.memberStatus !== 'unhealthy') {
    return hold(
      `member ${input.memberStatus ?? 'unknown'} by Fulcrum’s checks: weight held (the balancer’s own check decides)`,
      state,
    );
  } else if (!f?.measured) {
    // No data yet, or a signal still deciding (the probe late, not yet for long enough).
    return hold(f?.why ?? 'no capacity data yet: weight kept', state);
  } else if (f.factor <= 1 - limits.deadbandPercent / 100) {
    target = percent * f.factor;
    why = f.why;
  } else {
    target = 100;
    why = `${f.why}: back toward the configured weight`;
  }
  target = Math.round(Math.min(limits.max, Math.max(limits.min, target)));

  if (state.changedAt !== null && t - state.changedAt < limits.settleSeconds * 1000)
    return hold(`settling (last change ${Math.round((t - state.changedAt) / 1000)} s ago)`, state);
  const home = target === 100 || target === limits.min || target === limits.max;
  if (target === percent || (!home && Math.abs(target - percent) < limits.deadbandPercent))
    return hold(`${why} (within ${limits.deadbandPercent} points: held)`, state);

  const per = stepPerChange(limits);
  const range = stepRange(state, t, limits);
  const lo = Math.max(range.lo, percent - per);
  const hi = Math.min(range.hi, percent + per);
  // No room (the balancer's weight was changed by someone else within the minute): wait.
  if (lo > hi) return hold(`${why} (step limit: waiting for the last minute's answers to age out)`, state);
  const next = Math.min(hi, Math.max(lo, target));
  if (next === percent) return hold(`${why} (step limit: ${limits.maxStepPercent} points per minute reached)`, state);
  state = withChange(state, t, next);
  return hold(`${why}; target ${target} %`, state);
}
