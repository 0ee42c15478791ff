// The weights panel's state, advanced once per poll. Pure: configured, runtime and proposed weights
// per member; a change of the weights at the balancer, noticed, predicted and, once settled,
// measured; and what the weights agent handed out since the last poll.
import { formatPercent } from '../../format';
import type {
  AgentAuditEntry,
  AgentMemberView,
  BalancerState,
  ClusterEvent,
  MemberState,
  WeightChange,
  WeightMember,
  WeightsState,
} from '../../types';
import type { BalancerRef } from '../diagnosis/types';
import { isLive } from '../live';
import { predict, type WhatIfMember } from './predict';
import { DEFAULT_CAPACITY, capacityFactors, capacityInputOf, proposeWeights } from './propose';
import { serverRole } from './shares';

/** What the weights agent reports to a cluster's poll (lib/weights/agent.ts). */
export interface AgentCollected {
  listen: string;
  limits: NonNullable<WeightsState['agent']>['limits'];
  members: AgentMemberView[];
  /** Audit entries since the last poll, oldest first. */
  audit: AgentAuditEntry[];
  changes: number;
}

export interface WeightsInput {
  t: number;
  members: readonly MemberState[];
  /** Configured weights (1 each when the cluster configures none). */
  configured: readonly number[];
  balancer: BalancerState | null;
  balancerRef: BalancerRef | null;
  minLatencySamples: number;
  /** The probe lateness that counts (ms; the diagnosis's stallProbeExcessMs); default DEFAULT_CAPACITY's. */
  probeLateMs?: number;
  settleMs: number;
  /** Request shares over the score window, null when there is too little load to measure. */
  requestShares: ReadonlyArray<number | null> | null;
  /**
   * When the window those shares were measured over began (ms; null: unknown). A change is measured
   * only once the window lies wholly after it: shares that still count the old weights say nothing.
   */
  sharesFrom?: number | null;
  prev: WeightsState | null;
  agent: AgentCollected | null;
}

/** Audit lines kept in the state (the file keeps them all). */
export const MAX_AUDIT_IN_STATE = 50;

/** The members as the what-if prediction sees them, with the balancer's status now. */
export function whatIfMembers(members: readonly MemberState[], weights: readonly WeightMember[]): WhatIfMember[] {
  return members.map((m, i) => ({
    live: isLive(m),
    role: serverRole(weights[i]?.status ?? null),
    configured: weights[i]?.configured ?? m.weight,
  }));
}

/** The weights the balancer applies now: runtime where it reports the server, 0 where it does not, configured without a balancer. */
export function effectiveWeights(weights: readonly WeightMember[], haveBalancer: boolean): number[] {
  return weights.map((w) => (w.runtime !== null ? w.runtime : haveBalancer ? 0 : w.configured));
}

function changed(prev: readonly WeightMember[], cur: readonly WeightMember[]): boolean {
  if (prev.length !== cur.length) return false;
  return cur.some((w, i) => {
    const p = prev[i];
    if (p.endpoint !== w.endpoint || p.runtime === null || w.runtime === null) return false;
    return p.runtime !== w.runtime || serverRole(p.status) !== serverRole(w.status);
  });
}

/** The agent explains a member's new weight when it last handed out a percentage that gives it. */
function byAgent(w: WeightMember, agent: AgentCollected | null): boolean {
  const a = agent?.members.find((x) => x.endpoint === w.endpoint);
  if (!a || a.percent === null || w.initial === null || w.runtime === null) return false;
  return Math.abs(Math.floor((w.initial * a.percent) / 100) - w.runtime) <= 1;
}

function weightList(members: readonly WeightMember[], from: Array<number | null>, to: Array<number | null>): string {
  return members
    .map((m, i) => (from[i] === to[i] ? `${m.name} ${to[i] ?? '—'}` : `${m.name} ${from[i] ?? '—'}→${to[i] ?? '—'}`))
    .join(', ');
}

function shareList(members: readonly WeightMember[], shares: ReadonlyArray<number | null>): string {
  return members.map((m, i) => `${m.name} ${formatPercent(shares[i], 0)}`).join(', ');
}

export function advanceWeights(input: WeightsInput): { weights: WeightsState; events: ClusterEvent[] } {
  const { t, members, balancer } = input;
  const haveBalancer = Boolean(balancer?.ok && balancer.servers.length > 0);
  const servers = members.map((m) => balancer?.servers.find((s) => s.member === m.endpoint) ?? null);
  const current = members.map((m, i) => servers[i]?.weight ?? input.configured[i] ?? m.weight);
  const factors = capacityFactors(
    members.map((m) => capacityInputOf(m, input.minLatencySamples)),
    { ...DEFAULT_CAPACITY, probeLateMs: input.probeLateMs ?? DEFAULT_CAPACITY.probeLateMs },
  );
  const proposed = proposeWeights(current, factors);
  const list: WeightMember[] = members.map((m, i) => ({
    endpoint: m.endpoint,
    name: m.name,
    configured: input.configured[i] ?? m.weight,
    server: servers[i]?.name ?? null,
    runtime: haveBalancer ? (servers[i]?.weight ?? null) : null,
    initial: haveBalancer ? (servers[i]?.initialWeight ?? null) : null,
    status: haveBalancer ? (servers[i]?.status ?? null) : null,
    proposed: proposed[i],
    factor: factors[i].factor,
    why: factors[i].why,
    measured: factors[i].measured,
  }));

  const events: ClusterEvent[] = [];
  const prev = input.prev;
  let change: WeightChange | null = prev?.change ?? null;
  // A change at the balancer (only between two fresh readings of it).
  if (haveBalancer && prev && changed(prev.members, list)) {
    const moved = list.filter((w, i) => w.runtime !== prev.members[i].runtime);
    const by = moved.length > 0 && moved.every((w) => byAgent(w, input.agent)) ? 'agent' : 'other';
    const after = list.map((w) => w.runtime);
    // Weights applied server by server (one command each) are one change: while the last change by
    // the same hand is still settling, this one continues it (its `before`, a new settling time).
    const continues = change !== null && change.measured === null && change.by === by;
    const before = continues ? change!.before : prev.members.map((w) => w.runtime);
    const p = predict(effectiveWeights(list, true), whatIfMembers(members, list));
    change = {
      t,
      by,
      before,
      after,
      predicted: p.shares,
      settleAt: t + input.settleMs,
      measured: null,
      measuredAt: null,
      error: null,
    };
    if (by === 'other')
      events.push({
        t,
        kind: 'weights-changed',
        member: null,
        detail: `${input.balancerRef?.type === 'nginx' ? 'NGINX' : 'HAProxy'} weights changed: ${weightList(list, before, after)}; predicted ${shareList(list, p.shares)}`,
      });
  }
  // Settled: measure once, when there is load to measure.
  if (
    change &&
    change.measured === null &&
    t >= change.settleAt &&
    input.requestShares &&
    (input.sharesFrom ?? t) >= change.t
  ) {
    const measured = [...input.requestShares];
    let error = 0;
    change.predicted.forEach((p, i) => {
      const m = measured[i];
      if (p !== null && m !== null) error = Math.max(error, Math.abs(m - p));
    });
    change = { ...change, measured, measuredAt: t, error };
    if (change.by === 'other')
      events.push({
        t,
        kind: 'weights-settled',
        member: null,
        detail: `after ${Math.round((t - change.t) / 1000)} s: ${list
          .map(
            (m, i) =>
              `${m.name} predicted ${formatPercent(change!.predicted[i], 0)}, measured ${formatPercent(measured[i], 0)}`,
          )
          .join('; ')}`,
      });
  }

  // The agent: what it handed out since the last poll.
  let agent: WeightsState['agent'] = null;
  const a = input.agent;
  if (a) {
    for (const e of a.audit)
      events.push({
        t: e.t,
        kind: 'agent-weight',
        member: e.endpoint,
        detail: `agent: ${e.member} ${e.before === null ? '' : `${e.before} % → `}${e.reply} (${e.why})`,
      });
    agent = {
      listen: a.listen,
      limits: a.limits,
      members: a.members,
      audit: [...(prev?.agent?.audit ?? []), ...a.audit].slice(-MAX_AUDIT_IN_STATE),
      changes: a.changes,
    };
  }

  return {
    weights: {
      group: input.balancerRef
        ? { type: input.balancerRef.type, name: input.balancerRef.backend, runtimeApi: input.balancerRef.runtimeApi }
        : null,
      members: list,
      settleMs: input.settleMs,
      change,
      agent,
      whatIf: null,
    },
    events,
  };
}
