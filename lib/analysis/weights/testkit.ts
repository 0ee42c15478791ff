// What the weights tests share: the agent's limits in the integration test, and the agent asked
// once per poll with HAProxy applying each answer before the next. Tests only.
import { type AgentLimits, type AgentMemberState, decide, NEW_MEMBER_STATE } from './agent';
import type { CapacityFactor } from './propose';

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
