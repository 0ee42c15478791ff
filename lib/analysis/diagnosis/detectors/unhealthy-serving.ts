// unhealthy-serving: a member that is down, unhealthy or stalled while the balancer still sends it connections.
import type { Candidate, Detector } from '../types';
import { drainFixes, ejectFixes, serverOf } from '../fixes';
import { result } from './common';

export const unhealthyServing: Detector = {
  kind: 'unhealthy-serving',
  run(input) {
    if (!input.balancer)
      return result(
        'unhealthy-serving',
        [],
        '',
        'no balancer configured: cannot see whether a bad member still gets traffic',
      );
    if (!input.balancer.ok) return result('unhealthy-serving', [], '', `balancer unreadable: ${input.balancer.error}`);
    const t = input.thresholds;
    const candidates: Candidate[] = [];
    for (const m of input.members) {
      const stalled = m.signals.appliedStalledPolls >= t.raftStalledPolls;
      const bad = m.status === 'down' || m.status === 'unhealthy' || stalled;
      if (!bad) continue;
      const srv = serverOf(input, m);
      if (!srv?.status.startsWith('UP')) continue;
      const traffic = srv.scur > 0 || (srv.sessionRate ?? 0) > 0;
      if (!traffic) continue;
      const why =
        m.status === 'down'
          ? `does not answer (${m.error ?? 'no answer'})`
          : stalled
            ? `its raft applied index has not moved for ${m.signals.appliedStalledPolls} polls`
            : (m.error ?? 'is unhealthy');
      const passive = srv.checkMode === 'passive';
      const how =
        srv.checkMode === 'passive'
          ? `passive checks only (${srv.checkDesc ?? 'max_fails'}): connections to it still succeed`
          : `check ${srv.checkLayer === 'L4' ? 'TCP only' : (srv.checkStatus ?? 'none')}`;
      candidates.push({
        kind: 'unhealthy-serving',
        members: [m.endpoint],
        severity: 'critical',
        title: `${m.name} is unhealthy but ${srv.name} is still UP in the balancer`,
        summary: `${m.name} ${why}, yet the balancer keeps it UP (${how}) and sends it ${passive ? 'new sessions' : 'connections'}.`,
        evidence: [
          { label: 'member status', value: `${m.status}${m.error ? `: ${m.error}` : ''}`, member: m.endpoint },
          { label: `balancer server ${srv.name}`, value: srv.status, member: m.endpoint },
          {
            label: 'health check',
            value: `${passive ? 'passive' : srv.checkLayer} ${srv.checkStatus ?? ''} ${srv.checkDesc ?? ''}`.trim(),
            member: m.endpoint,
          },
          {
            label: passive ? 'sessions ended per s' : 'sessions now / new per s',
            value: passive
              ? srv.sessionRate === null
                ? 'n/a'
                : srv.sessionRate.toFixed(1)
              : `${srv.scur} / ${srv.sessionRate === null ? 'n/a' : srv.sessionRate.toFixed(1)}`,
            member: m.endpoint,
          },
        ],
        fixes: [
          ...drainFixes(
            input,
            m,
            'stops new connections to the bad member immediately',
            'existing connections stay until they close',
          ),
          ...ejectFixes(input),
        ],
        confidence: m.status === 'down' ? 0.9 : 0.8,
        raiseAfter: 1,
      });
    }
    return result('unhealthy-serving', candidates, 'no unhealthy member is UP in the balancer');
  },
};
