// What-if: the request shares a set of weights would give, and the score they would have. Pure.
// The panel (components/weights), the API (`/api/clusters/{name}/weights`) and the verification
// after a weight change (verify.ts) all predict with this function.
import { imbalanceScore } from '../score';
import { sharesFromWeights, type TrafficRole } from './shares';

/** A member as the prediction needs it. */
export interface WhatIfMember {
  /** It answers (isLive): a member that is down carries nothing and expects nothing. */
  live: boolean;
  /** Its role at the balancer now (serverRole of its status); 'active' without balancer data. */
  role: TrafficRole;
  /** Configured weight: Fulcrum's expected share (1 each when the cluster sets none). */
  configured: number;
}

export interface Prediction {
  /** Predicted share of requests per member (null: not live). Sums to 1 when any server takes traffic. */
  shares: (number | null)[];
  /**
   * Fulcrum's expected shares against these weights: the configured weights, renormalised over
   * the members that would take traffic (one drained on purpose, weight 0, expects nothing).
   */
  expected: (number | null)[];
  /** Predicted imbalance score against `expected`, and against equal shares (same members). */
  score: number | null;
  scoreEqual: number | null;
  /** Members that would take new connections. */
  serving: number;
}

/**
 * The shares `weights` would give once every client has reconnected, and their scores. The
 * balancer's model (shares.ts): each new connection goes to server i with probability
 * w_i / Σ w over the servers that take new connections.
 */
export function predict(weights: readonly number[], members: readonly WhatIfMember[]): Prediction {
  const eligible = members.map((m) => m.live);
  const roles = members.map((m) => m.role);
  const shares = sharesFromWeights(weights, eligible, roles);
  const serving = shares.filter((s) => s !== null && s > 0).length;
  const takes = shares.map((s) => s !== null && s > 0);
  const expected = sharesFromWeights(
    members.map((m, i) => (takes[i] ? m.configured : 0)),
    eligible,
  );
  const equal = sharesFromWeights(
    members.map((_, i) => (takes[i] ? 1 : 0)),
    eligible,
  );
  const scored = serving > 0 && expected.some((e) => e !== null && e > 0);
  return {
    shares,
    expected,
    score: scored ? imbalanceScore(shares, expected) : null,
    scoreEqual: scored ? imbalanceScore(shares, equal) : null,
    serving,
  };
}

/** What the prediction assumes, as the panel and the API state it. */
export const PREDICTION_ASSUMPTIONS: readonly string[] = [
  'The balancer hands each new connection (L4, mode tcp) or request (L7) to a server in proportion to its weight, among the servers that take new connections (UP, weight above 0); drained, MAINT and down servers get none, and backups only when no active server can.',
  'Every connection carries about the same request rate. Existing connections are pinned: they stay on their member until the client reconnects, so the prediction holds once clients have reconnected (gRPC clients keep one connection for hours unless something closes it).',
  'Only traffic through this balancer: clients that list the members themselves (client-side balancing) are not moved by weights.',
  'Load on the other members does not change their capacity: the predicted shares say where requests go, not how fast they are served.',
];
