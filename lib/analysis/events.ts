// Events between two consecutive cluster observations. Pure.
import { leaderIndex } from './live';
import type { ClusterEvent, MemberState } from '../types';

type Observed = Pick<MemberState, 'endpoint' | 'name' | 'status' | 'isLeader' | 'alarms' | 'raftTerm' | 'error'>;

/**
 * What changed from `prev` to `cur` (same member order). `restarted` holds the endpoints whose
 * process restarted since the last poll (their counters reset).
 */
export function detectEvents(
  prev: Observed[] | null,
  cur: Observed[],
  t: number,
  restarted: ReadonlySet<string> = new Set(),
): ClusterEvent[] {
  const events: ClusterEvent[] = [];
  const curLeader = leaderIndex(cur);
  if (prev) {
    const prevLeader = leaderIndex(prev);
    if (curLeader !== prevLeader && (curLeader >= 0 || prevLeader >= 0)) {
      const from = prevLeader >= 0 ? prev[prevLeader].name : 'none';
      const to = curLeader >= 0 ? cur[curLeader].name : 'none';
      const term = curLeader >= 0 && cur[curLeader].raftTerm ? ` (term ${cur[curLeader].raftTerm})` : '';
      events.push({
        t,
        kind: 'leader-change',
        member: curLeader >= 0 ? cur[curLeader].endpoint : null,
        detail: curLeader >= 0 ? `leader ${from} → ${to}${term}` : `no leader (was ${from})`,
      });
    }
  }
  cur.forEach((m, i) => {
    const p = prev?.[i];
    const wasDown = p ? p.status === 'down' : false;
    if (m.status === 'down' && (!p || !wasDown)) {
      events.push({
        t,
        kind: 'member-down',
        member: m.endpoint,
        detail: `${m.name} down: ${m.error ?? 'unreachable'}`,
      });
    } else if (p && wasDown && m.status !== 'down') {
      events.push({ t, kind: 'member-up', member: m.endpoint, detail: `${m.name} is back (${m.status})` });
    }
    if (restarted.has(m.endpoint) && !(p && wasDown)) {
      events.push({ t, kind: 'member-restart', member: m.endpoint, detail: `${m.name} restarted (counters reset)` });
    }
    const before = new Set(p?.alarms ?? []);
    const after = new Set(m.alarms);
    for (const a of after) {
      if (!before.has(a))
        events.push({ t, kind: 'alarm-raised', member: m.endpoint, detail: `${a} alarm on ${m.name}` });
    }
    if (p) {
      for (const a of before) {
        if (!after.has(a) && m.status !== 'down') {
          events.push({ t, kind: 'alarm-cleared', member: m.endpoint, detail: `${a} alarm cleared on ${m.name}` });
        }
      }
    }
  });
  return events;
}
