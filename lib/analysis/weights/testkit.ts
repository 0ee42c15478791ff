// What the weights tests share: the agent's limits in the integration test, the agent asked
// once per poll with HAProxy applying each answer before the next, and a weighted three-member
// cluster. Tests only.
import type { MemberState } from '../../types';
import { balancer, member, server } from '../diagnosis/testkit';
import { type AgentLimits, type AgentMemberState, decide, NEW_MEMBER_STATE } from './agent';
import type { CapacityFactor } from './propose';
import { advanceWeights } from './view';

/** The limits the agent's integration test runs with (HAProxy asks every second). */
export const IT_LIMITS: AgentLimits = {
  min: 40,
  max: 100,
  maxStepPercent: 60,
  settleSeconds: 5,
  drainDown: false,
  deadbandPercent: 5,
};

/** The percentages the agent answers for one server of initial weight 20, one poll at a time. */
export function agentAnswers(
  polls: ReadonlyArray<{ t: number; factor: CapacityFactor }>,
  limits = IT_LIMITS,
): number[] {
  let state: AgentMemberState = NEW_MEMBER_STATE;
  let weight = 20;
  return polls.map(({ t, factor }) => {
    const d = decide(
      state,
      { t, stale: false, memberStatus: 'up', server: { status: 'UP', weight, initialWeight: 20 }, factor },
      limits,
    );
    state = d.state;
    if (d.percent !== null) weight = Math.floor((20 * d.percent) / 100);
    return d.percent ?? 100;
  });
}

/**
 * Three members weighted 30, 20 and 10 behind the HAProxy backend `etcd` (runtime API at
 * /run/haproxy/admin.sock), each with its measured request share when `shares` is given, and the
 * weights state of their first poll.
 */
export function weightedCluster(shares?: readonly number[]) {
  const members: MemberState[] = [member(1, { weight: 30 }), member(2, { weight: 20 }), member(3, { weight: 10 })].map(
    (m, i) =>
      shares ? { ...m, dims: { ...m.dims, requests: { value: 100, share: shares[i], expectedShare: null } } } : m,
  );
  const b = balancer(members.map((m) => server(m)));
  const weights = advanceWeights({
    t: 1,
    members,
    configured: [30, 20, 10],
    balancer: b,
    balancerRef: { type: 'haproxy', backend: 'etcd', runtimeApi: '/run/haproxy/admin.sock' },
    minLatencySamples: 200,
    settleMs: 30_000,
    requestShares: null,
    prev: null,
    agent: null,
  }).weights;
  return { members, weights, balancer: b };
}
