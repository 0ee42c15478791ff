// Which share of new connections each server of an endpoint group gets from its weights and its
// state at the balancer. Pure. The one definition used by the expected shares of the score, by the
// what-if prediction (predict.ts) and by the weights agent: a member drained, in maintenance or at
// weight 0 at the balancer gets nothing and the others renormalise.
//
// The model is the balancer's own: HAProxy `balance roundrobin`/`leastconn` with weights and NGINX's
// weighted round robin hand each NEW connection (L4) or request (L7) to server i with probability
// w_i / Σ w over the servers that take new connections. Backup servers take connections only when
// no active server can.

/** How a server takes part in the balancing, from its status as the balancer reports it. */
export type TrafficRole = 'active' | 'backup' | 'out';

/**
 * The role of a server from its status (HAProxy `show stat` status, or NGINX's as the source maps
 * it): UP (also "UP 1/3", going down but still up) and "no check" take new connections; DRAIN, NOLB
 * and MAINT take none (only persistent ones); DOWN (also "DOWN 1/2", going up) none; BACKUP only
 * when no active server can. Unknown statuses count as out: Fulcrum never promises traffic it
 * can't explain. null (no balancer data) counts as active.
 */
export function serverRole(status: string | null | undefined): TrafficRole {
  if (status === null || status === undefined) return 'active';
  const s = status.trim().toUpperCase();
  if (s.startsWith('BACKUP')) return 'backup';
  if (s.startsWith('UP') || s === 'NO CHECK') return 'active';
  return 'out';
}

/**
 * Each member's share of new connections: w_i / Σ w over the members that take them. `eligible`
 * false (not in the group: a member that is down, or not known) gives null; an eligible member
 * with weight 0 (or negative, or not a number), or a backup while an active member takes
 * connections, gives 0. When no member takes any (all weights 0), every eligible member gets 0.
 */
export function sharesFromWeights(
  weights: readonly number[],
  eligible: readonly boolean[],
  roles?: readonly TrafficRole[],
): (number | null)[] {
  const w = weights.map((x) => (Number.isFinite(x) && x > 0 ? x : 0));
  const role = (i: number): TrafficRole => roles?.[i] ?? 'active';
  const pool = (r: TrafficRole) => w.reduce((acc, x, i) => (eligible[i] && role(i) === r ? acc + x : acc), 0);
  const active = pool('active');
  const serving: TrafficRole = active > 0 ? 'active' : 'backup';
  const sum = active > 0 ? active : pool('backup');
  return w.map((x, i) => {
    if (!eligible[i]) return null;
    if (!(sum > 0) || role(i) !== serving) return 0;
    return x / sum;
  });
}
