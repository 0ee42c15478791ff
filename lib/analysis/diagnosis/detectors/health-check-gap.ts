// health-check-gap: balancer health checks that cannot catch a bad member (none, TCP-only, wrong path, slow).
import type { Candidate, Detector } from '../types';
import { backendName, etcdName, haproxyBackend, healthPath, serverLines } from '../fixes';
import { stallingMembers } from '../stall';
import { result } from './common';

export const healthCheckGap: Detector = {
  kind: 'health-check-gap',
  run(input) {
    if (!input.balancer) return result('health-check-gap', [], '', 'no balancer configured: health checks not checked');
    if (!input.balancer.ok) return result('health-check-gap', [], '', `balancer unreadable: ${input.balancer.error}`);
    const t = input.thresholds;
    const problems: Array<{ severity: Candidate['severity']; text: string; members: string[] }> = [];
    const servers = input.balancer.servers.filter((s) => s.member);
    const none = servers.filter((s) => s.checkLayer === 'none');
    const l4 = servers.filter((s) => s.checkLayer === 'L4');
    const version = input.members.find((m) => m.version)?.version ?? null;
    const path = healthPath(version);
    if (none.length)
      problems.push({
        severity: 'critical',
        text: `no health check on ${none.map((s) => s.name).join(', ')}: a dead member stays in rotation`,
        members: none.map((s) => s.member!),
      });
    if (l4.length)
      problems.push({
        severity: 'warning',
        text: `TCP-only check on ${l4.map((s) => s.name).join(', ')}: a hung, leaderless or alarmed member still accepts connections and passes`,
        members: l4.map((s) => s.member!),
      });
    const cfg = input.balancer.check;
    // The HTTP statuses the failing layer-7 checks got (check_code), e.g. "HTTP 404".
    const codes = [
      ...new Set(servers.filter((s) => s.checkStatus?.includes('L7') && s.checkCode).map((s) => `HTTP ${s.checkCode}`)),
    ];
    let wrongPath = false;
    if (cfg?.type === 'http' && cfg.path) {
      const p = cfg.path.split('?')[0];
      const valid = p === '/health' || ((p === '/livez' || p === '/readyz') && path === '/readyz');
      if (!valid) {
        wrongPath = true;
        problems.push({
          severity: 'critical',
          text: `the check asks for ${cfg.path}, which ${etcdName(version)} does not serve${codes.length ? ` (it answers ${codes.join(', ')})` : ''} (use ${path})`,
          members: servers.map((s) => s.member!),
        });
      }
    }
    let failsHealthy = false;
    const wrongStatus = servers.filter((s) => s.checkStatus?.includes('L7STS') && s.checkLayer === 'L7');
    // While a member stalls, /health (a read through raft) can fail anywhere for a moment: that is
    // the stall, not a wrong check.
    const stalls = stallingMembers(input).size > 0;
    if (wrongStatus.length && !stalls && !(cfg?.type === 'http' && cfg.path && cfg.path.split('?')[0] !== '/health')) {
      // L7STS on a member that is healthy by etcd means the check path or expectation is wrong.
      const healthyButFailing = wrongStatus.filter(
        (s) => input.members.find((m) => m.endpoint === s.member)?.status === 'up',
      );
      failsHealthy = healthyButFailing.length > 0;
      if (healthyButFailing.length)
        problems.push({
          severity: 'critical',
          text: `the HTTP check fails (${healthyButFailing.map((s) => `${s.name}: ${s.checkStatus}${s.checkCode ? ` HTTP ${s.checkCode}` : ''} ${s.checkDesc ?? ''}`.trim()).join(', ')}) on members etcd calls healthy`,
          members: healthyButFailing.map((s) => s.member!),
        });
    }
    if (cfg) {
      const slow = Object.entries(cfg.interMs).filter(([, ms]) => ms > t.maxCheckIntervalMs);
      if (slow.length)
        problems.push({
          severity: 'warning',
          text: `check interval ${slow.map(([n, ms]) => `${n} ${ms / 1000} s`).join(', ')} (above ${t.maxCheckIntervalMs / 1000} s): a dead member keeps traffic that long`,
          members: slow.map(([n]) => servers.find((s) => s.name === n)?.member).filter((x): x is string => Boolean(x)),
        });
    }
    const note = cfg ? '' : ' (interval and path not checked: set balancer.configFile)';
    if (!problems.length) return result('health-check-gap', [], `HTTP checks on every server${note}`);
    const members = [...new Set(problems.flatMap((p) => p.members))];
    const backend = backendName(input);
    return result(
      'health-check-gap',
      [
        {
          kind: 'health-check-gap',
          members,
          severity: problems.some((p) => p.severity === 'critical') ? 'critical' : 'warning',
          title: wrongPath
            ? `The balancer's health check asks for a path etcd does not serve${codes.length ? ` (${codes.join(', ')})` : ''}`
            : failsHealthy
              ? `The balancer's HTTP check fails on members etcd calls healthy${codes.length ? ` (${codes.join(', ')})` : ''}`
              : `The balancer's health checks cannot catch a bad member`,
          summary: `${problems.map((p) => p.text).join('; ')}.`,
          evidence: [
            ...servers.map((s) => ({
              label: `${s.name} check`,
              value: `${s.checkLayer}${s.checkStatus ? ` ${s.checkStatus}` : ''}${s.checkCode ? ` HTTP ${s.checkCode}` : ''}${s.checkDesc ? ` (${s.checkDesc})` : ''}`,
              member: s.member ?? undefined,
            })),
            ...(cfg
              ? [
                  {
                    label: 'configured check',
                    value: `${cfg.type}${cfg.path ? ` ${cfg.method ?? 'GET'} ${cfg.path}` : ''}${cfg.expect ? `, expect ${cfg.expect}` : ''}, inter ${
                      Object.values(cfg.interMs)
                        .map((x) => `${x / 1000}s`)
                        .join('/') || 'n/a'
                    }`,
                    threshold: `≤ ${t.maxCheckIntervalMs / 1000} s`,
                  },
                ]
              : []),
            { label: 'etcd version', value: version ?? 'unknown' },
          ],
          fixes: [
            {
              title: `HTTP check on ${path} every 5 s`,
              format: 'haproxy',
              body: haproxyBackend(backend, serverLines(input, input.members), version),
              why: `${path} fails when the member has no leader, is hung or raised an alarm; 5 s with fall 2 ejects a bad member in about 10 s`,
              risk:
                path === '/health'
                  ? 'Trade-off: on etcd 3.4 /health also fails while any alarm is raised, and NOSPACE is cluster-wide: a full quota (reads still work) would eject every member and turn into a total outage at the balancer. On 3.5 use /health?exclude=NOSPACE or /readyz.'
                  : '/readyz fails while a member catches up: it stays out until ready',
            },
          ],
          confidence: 0.9,
          raiseAfter: 1,
        },
      ],
      '',
    );
  },
};
