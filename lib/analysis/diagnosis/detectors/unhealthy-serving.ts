// unhealthy-serving: a member that is down, unhealthy or stalled while the balancer still sends it connections.
import type { Candidate, Detector } from '../types';
import { backendName, haproxyBackend, haproxyRuntime, healthPath, serverLines, serverOf } from '../fixes';
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
      const version = input.members.find((x) => x.version)?.version ?? m.version;
      const path = healthPath(version);
      const backend = backendName(input);
      candidates.push({
        kind: 'unhealthy-serving',
        members: [m.endpoint],
        severity: 'critical',
        title: `${m.name} is unhealthy but ${srv.name} is still UP in the balancer`,
        summary: `${m.name} ${why}, yet the balancer keeps it UP (check ${srv.checkLayer === 'L4' ? 'TCP only' : (srv.checkStatus ?? 'none')}) and sends it connections.`,
        evidence: [
          { label: 'member status', value: `${m.status}${m.error ? `: ${m.error}` : ''}`, member: m.endpoint },
          { label: `balancer server ${srv.name}`, value: srv.status, member: m.endpoint },
          {
            label: 'health check',
            value: `${srv.checkLayer} ${srv.checkStatus ?? ''} ${srv.checkDesc ?? ''}`.trim(),
            member: m.endpoint,
          },
          {
            label: 'sessions now / new per s',
            value: `${srv.scur} / ${srv.sessionRate === null ? 'n/a' : srv.sessionRate.toFixed(1)}`,
            member: m.endpoint,
          },
        ],
        fixes: [
          {
            title: `Drain ${srv.name} now`,
            format: 'shell',
            body: haproxyRuntime(input.balancerRef, [`set server ${backend}/${srv.name} state maint`]),
            why: 'stops new connections to the bad member immediately',
            risk: 'existing connections stay until they close; set "state ready" when it is healthy again',
          },
          {
            title: `Check ${path} over HTTP so the balancer ejects it by itself`,
            format: 'haproxy',
            body: haproxyBackend(backend, serverLines(input, input.members), version),
            why: `an HTTP check on ${path} fails when the member is hung, has no leader or raised an alarm; a TCP check passes as long as the kernel accepts connections`,
            risk:
              path === '/health'
                ? '/health also fails while any alarm is raised and NOSPACE is cluster-wide: a full quota (reads still work) would take every member out of the balancer. On etcd 3.5 use /health?exclude=NOSPACE or /readyz.'
                : 'a member that is catching up is out of rotation until ready',
          },
        ],
        confidence: m.status === 'down' ? 0.9 : 0.8,
        raiseAfter: 1,
      });
    }
    return result('unhealthy-serving', candidates, 'no unhealthy member is UP in the balancer');
  },
};
