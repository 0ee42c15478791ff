// Words for the header and the findings panel, from a state object. Pure.
import { DIMENSIONS, DIMENSION_LIST } from '../dimensions';
import type { ClusterState, DimensionId, MemberState } from '../types';
import { formatScore } from '../format';
import { liveCount, isLive } from '../analysis/live';
import { median } from '../stats';

/** One line: how the score is computed. */
export const SCORE_EXPLANATION =
  'How far the most over-loaded member has moved from its expected share toward carrying everything: 0 = every member at its expected share, 1 = one member carries it all.';

/**
 * What the dimension's score is measured against: "against configured weights 30/20/10",
 * "against equal shares", with the followers-only and down-member caveats.
 */
export function basisText(
  members: ReadonlyArray<Pick<MemberState, 'name' | 'weight' | 'isLeader' | 'status'>>,
  dim: DimensionId,
  basis: 'weights' | 'equal',
): string {
  const spec = DIMENSIONS[dim];
  if (!spec.scored) return "compared with the peers' median (no expected share)";
  const counted = members.filter((m) => !(spec.leaderHeavy && m.isLeader));
  const leader = members.find((m) => m.isLeader);
  const notes: string[] = [];
  if (spec.leaderHeavy) notes.push(leader ? `followers only, leader ${leader.name} left out` : 'followers only');
  const downCount = counted.filter((m) => !isLive(m)).length;
  if (downCount) notes.push(`${downCount} down member${downCount > 1 ? 's' : ''} left out`);
  const paren = (xs: string[]) => (xs.length ? ` (${xs.join('; ')})` : '');
  if (basis === 'equal') return `against equal shares${paren(notes)}`;
  const ws = counted.map((m) => m.weight);
  if (ws.length && ws.every((w) => w === ws[0])) return `against equal shares${paren(['equal weights', ...notes])}`;
  return `against configured weights ${ws.map((w) => String(w)).join('/')}${paren(notes)}`;
}

/** The member whose value is furthest above the up members' median (latency has no share). */
export function slowestVsMedian(
  members: ReadonlyArray<Pick<MemberState, 'name' | 'endpoint' | 'status' | 'dims'>>,
  dim: DimensionId,
): { name: string; endpoint: string; value: number; median: number; ratio: number } | null {
  const up = members.filter(isLive);
  const med = median(up.map((m) => m.dims[dim].value));
  if (med === null || !(med > 0) || up.length < 2) return null;
  let best: { name: string; endpoint: string; value: number; median: number; ratio: number } | null = null;
  for (const m of up) {
    const v = m.dims[dim].value;
    if (v === null || !Number.isFinite(v)) continue;
    const r = v / med;
    if (!best || r > best.ratio) best = { name: m.name, endpoint: m.endpoint, value: v, median: med, ratio: r };
  }
  return best;
}

/** What the state shows was looked at, for "No findings" (so silence is not mistaken for blindness). */
export function checkedList(state: Pick<ClusterState, 'members' | 'scores' | 'events' | 'sources'>): string[] {
  const out: string[] = [];
  const n = state.members.length;
  const up = liveCount(state.members);
  const scored = DIMENSION_LIST.filter((d) => d.scored);
  const withScore = scored.filter((d) => state.scores[d.id]?.score !== null && state.scores[d.id]?.score !== undefined);
  const worst = withScore.reduce<{ label: string; s: number } | null>((acc, d) => {
    const s = state.scores[d.id].score as number;
    return !acc || s > acc.s ? { label: d.label.toLowerCase(), s } : acc;
  }, null);
  out.push(
    `load shares: ${withScore.length} of ${scored.length} dimensions scored across ${n} members` +
      (worst ? ` (highest: ${worst.label} ${formatScore(worst.s)})` : ''),
  );
  out.push(`member health: ${up} of ${n} answering`);
  const alarms = state.members.flatMap((m) => m.alarms.map((a) => `${a} on ${m.name}`));
  out.push(`alarms: ${alarms.length ? alarms.join(', ') : 'none raised'}`);
  const leader = state.members.find((m) => m.isLeader && isLive(m));
  const changes = state.events.filter((e) => e.kind === 'leader-change').length;
  out.push(
    `leader: ${leader ? `${leader.name}${leader.raftTerm ? ` (term ${leader.raftTerm})` : ''}` : 'none'}, ${changes} change${changes === 1 ? '' : 's'} seen`,
  );
  const lat = slowestVsMedian(state.members, 'latencyP99');
  if (lat) out.push(`latency p99: slowest ${lat.name} at ${lat.ratio.toFixed(1)}× the median`);
  const balancer = state.sources.balancer;
  out.push(
    `sources: etcd ${state.sources.etcd ? (state.sources.etcd.ok ? 'ok' : 'failing') : 'not polled'}, Prometheus ${
      state.sources.prometheus ? (state.sources.prometheus.ok ? 'ok' : 'failing') : 'not configured'
    }${balancer ? `, balancer ${balancer.ok ? 'ok' : 'failing'}` : ''}`,
  );
  return out;
}
