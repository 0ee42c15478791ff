// health-check-gap: balancer health checks that cannot catch a bad member: none, TCP-only,
// passive-only (open-source NGINX), a path the running etcd does not serve (a 404 on every
// member takes them all out), slow intervals.
import { formatDuration } from '../../../format';
import { checkPathVerdict } from '../../etcd-versions';
import type { Candidate, Detector } from '../types';
import { checkFor, ejectFixes, etcdName } from '../fixes';
import { stallingMembers } from '../stall';
import { result } from './common';

/** The usual interval (HAProxy's `inter 5s`): slower is worth knowing, past maxCheckIntervalMs a warning. */
const USUAL_INTERVAL_MS = 5_000;

const RANK: Record<Candidate['severity'], number> = { info: 0, warning: 1, critical: 2 };

export const healthCheckGap: Detector = {
  kind: 'health-check-gap',
  run(input) {
    if (!input.balancer) return result('health-check-gap', [], '', 'no balancer configured: health checks not checked');
    if (!input.balancer.ok) return result('health-check-gap', [], '', `balancer unreadable: ${input.balancer.error}`);
    const t = input.thresholds;
    const problems: Array<{ severity: Candidate['severity']; text: string; members: string[] }> = [];
    const servers = input.balancer.servers.filter((s) => s.member && !s.down);
    const names = (xs: typeof servers) => xs.map((s) => s.name).join(', ');
    const members = (xs: typeof servers) => xs.map((s) => s.member!);
    const none = servers.filter((s) => s.checkLayer === 'none');
    const passive = servers.filter((s) => s.checkMode === 'passive' && s.checkLayer !== 'none');
    const l4 = servers.filter((s) => s.checkMode !== 'passive' && s.checkLayer === 'L4');
    const check = checkFor(input.members);
    const version = check.version;
    if (none.length)
      problems.push({
        severity: 'critical',
        text: `no health check on ${names(none)}${none.some((s) => s.passive?.maxFails === 0) ? ' (max_fails=0)' : ''}: a dead member stays in rotation`,
        members: members(none),
      });
    if (passive.length) {
      const p = passive[0].passive;
      problems.push({
        severity: 'warning',
        text: `open-source NGINX checks passively only: ${names(passive)} ${passive.length > 1 ? 'are' : 'is'} taken out after ${p ? `max_fails=${p.maxFails} failed ${input.balancer.protocol === 'tcp' ? 'connections' : 'requests'} within fail_timeout=${p.failTimeoutMs / 1000}s, and only for ${p.failTimeoutMs / 1000}s` : 'failed connections'}; a member that is hung but still accepts connections (SIGSTOP, a stalled disk) never fails one and keeps its share`,
        members: members(passive),
      });
    }
    if (l4.length)
      problems.push({
        severity: 'warning',
        text: `TCP-only check on ${names(l4)}: a hung, leaderless or alarmed member still accepts connections and passes`,
        members: members(l4),
      });
    const cfg = input.balancer.check;
    // The HTTP statuses the failing layer-7 checks got (HAProxy's check_code), e.g. "HTTP 404".
    const codes = [
      ...new Set(servers.filter((s) => s.checkStatus?.includes('L7') && s.checkCode).map((s) => `HTTP ${s.checkCode}`)),
    ];
    let pathBad = false;
    if (cfg?.type === 'http' && cfg.path) {
      const verdict = checkPathVerdict(cfg.path, version);
      if (!verdict.served) {
        pathBad = true;
        problems.push({
          severity: 'critical',
          text: `the check asks for ${cfg.path}: ${verdict.note}${codes.length ? ` (it answers ${codes.join(', ')})` : ''} (use ${check.path})`,
          members: members(servers),
        });
      } else if (verdict.ignored.length)
        problems.push({
          severity: 'warning',
          text: `${verdict.note}: the check means less than it says (use ${check.path})`,
          members: members(servers),
        });
      else if (check.noSpaceSafe && cfg.path === '/health')
        problems.push({
          severity: 'info',
          text: `the check on /health fails on every member while NOSPACE is raised (cluster-wide), turning a full quota into a total outage at the balancer: ${etcdName(version)} serves ${check.path}`,
          members: members(servers),
        });
    }
    let failsHealthy = false;
    const wrongStatus = servers.filter((s) => s.checkStatus?.includes('L7STS') && s.checkLayer === 'L7');
    // While a member stalls, /health (a read through raft) can fail anywhere for a moment: that is
    // the stall, not a wrong check.
    const stalls = stallingMembers(input).size > 0;
    if (wrongStatus.length && !pathBad && !stalls) {
      // L7STS on a member that is healthy by etcd means the check path or expectation is wrong.
      const healthyButFailing = wrongStatus.filter(
        (s) => input.members.find((m) => m.endpoint === s.member)?.status === 'up',
      );
      failsHealthy = healthyButFailing.length > 0;
      if (healthyButFailing.length)
        problems.push({
          severity: 'critical',
          text: `the HTTP check fails (${healthyButFailing.map((s) => `${s.name}: ${s.checkStatus}${s.checkCode ? ` HTTP ${s.checkCode}` : ''} ${s.checkDesc ?? ''}`.trim()).join(', ')}) on members etcd calls healthy`,
          members: members(healthyButFailing),
        });
    }
    if (cfg) {
      const intervals = Object.entries(cfg.interMs);
      const slow = intervals.filter(([, ms]) => ms > t.maxCheckIntervalMs);
      const slowish = intervals.filter(([, ms]) => ms > USUAL_INTERVAL_MS && ms <= t.maxCheckIntervalMs);
      const on = (xs: Array<[string, number]>) =>
        xs.map(([n]) => servers.find((s) => s.name === n)?.member).filter((x): x is string => Boolean(x));
      if (slow.length)
        problems.push({
          severity: 'warning',
          text: `check interval ${slow.map(([n, ms]) => `${n} ${formatDuration(ms / 1000)}`).join(', ')} (above ${formatDuration(t.maxCheckIntervalMs / 1000)}): a dead member keeps traffic that long`,
          members: on(slow),
        });
      if (slowish.length)
        problems.push({
          severity: 'info',
          text: `check interval ${slowish.map(([n, ms]) => `${n} ${formatDuration(ms / 1000)}`).join(', ')}: slower than the usual 5 s`,
          members: on(slowish),
        });
    }
    const note =
      cfg || input.balancer.type === 'nginx' ? '' : ' (interval and path not checked: set balancer.configFile)';
    if (!problems.length) return result('health-check-gap', [], `active checks on every server${note}`);
    const severity = problems.reduce<Candidate['severity']>(
      (worst, p) => (RANK[p.severity] > RANK[worst] ? p.severity : worst),
      'info',
    );
    return result(
      'health-check-gap',
      [
        {
          kind: 'health-check-gap',
          members: [...new Set(problems.flatMap((p) => p.members))],
          severity,
          title: pathBad
            ? `The balancer's health check asks for a path etcd does not serve${codes.length ? ` (${codes.join(', ')})` : ''}`
            : failsHealthy
              ? `The balancer's HTTP check fails on members etcd calls healthy${codes.length ? ` (${codes.join(', ')})` : ''}`
              : severity === 'info'
                ? `The balancer's health checks could be better`
                : `The balancer's health checks cannot catch a bad member`,
          summary: `${problems.map((p) => p.text).join('; ')}.`,
          evidence: [
            ...servers.map((s) => ({
              label: `${s.name} check`,
              value: `${s.checkMode === 'passive' ? 'passive' : s.checkLayer}${s.checkStatus ? ` ${s.checkStatus}` : ''}${s.checkCode ? ` HTTP ${s.checkCode}` : ''}${s.checkDesc ? ` (${s.checkDesc})` : ''}`,
              member: s.member ?? undefined,
            })),
            ...(cfg && cfg.type !== 'passive'
              ? [
                  {
                    label: 'configured check',
                    value: `${cfg.type}${cfg.path ? ` ${cfg.method ?? 'GET'} ${cfg.path}` : ''}${cfg.expect ? `, expect ${cfg.expect}` : ''}, every ${
                      Object.values(cfg.interMs)
                        .map((x) => formatDuration(x / 1000))
                        .join('/') || 'n/a'
                    }`,
                    threshold: `≤ ${formatDuration(USUAL_INTERVAL_MS / 1000)}`,
                  },
                ]
              : []),
            { label: 'etcd version (oldest member)', value: version ?? 'unknown' },
            { label: 'check it serves', value: check.path },
          ],
          fixes: ejectFixes(input),
          confidence: 0.9,
          raiseAfter: 1,
        },
      ],
      '',
    );
  },
};
