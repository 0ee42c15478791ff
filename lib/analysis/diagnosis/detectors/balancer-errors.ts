// balancer-errors: connection/response errors rising at the balancer toward one member.
import { ERROR_WINDOW_POLLS } from '../../signals';
import type { Candidate, Detector } from '../types';
import { retryFixes } from '../fixes';
import { logEvidence, result } from './common';

export const balancerErrors: Detector = {
  kind: 'balancer-errors',
  run(input) {
    if (!input.balancer) return result('balancer-errors', [], '', 'no balancer configured');
    if (!input.balancer.ok) return result('balancer-errors', [], '', `balancer unreadable: ${input.balancer.error}`);
    const t = input.thresholds;
    const windowMin = (ERROR_WINDOW_POLLS * input.pollIntervalMs) / 60_000;
    const candidates: Candidate[] = [];
    for (const srv of input.balancer.servers) {
      const m = input.members.find((x) => x.endpoint === srv.member);
      // Errors toward a member that is down are member-down's, not a balancer problem.
      if (!m || m.status === 'down') continue;
      const e = srv.errors;
      const total = e.econ + e.eresp + e.wretr + e.wredis + e.hrsp5xx + e.srvAbrt;
      const perMin = windowMin > 0 ? total / windowMin : 0;
      if (perMin < t.balancerErrorsPerMinute || total === 0) continue;
      candidates.push({
        kind: 'balancer-errors',
        members: [m.endpoint],
        severity: perMin >= 10 * Math.max(1, t.balancerErrorsPerMinute) ? 'critical' : 'warning',
        title: `The balancer sees errors on ${srv.name} (${perMin.toFixed(0)}/min)`,
        summary: `Connection or response errors toward ${m.name} are rising at the balancer: clients see resets, 502/503 or retries.`,
        evidence: [
          { label: 'connection errors', value: String(e.econ), member: m.endpoint },
          { label: 'response errors', value: String(e.eresp), member: m.endpoint },
          { label: 'retries / redispatches', value: `${e.wretr} / ${e.wredis}`, member: m.endpoint },
          { label: 'server aborts', value: String(e.srvAbrt), member: m.endpoint },
          { label: '5xx', value: String(e.hrsp5xx), member: m.endpoint },
          {
            label: 'rate',
            value: `${perMin.toFixed(1)}/min over ${windowMin.toFixed(1)} min`,
            threshold: `${t.balancerErrorsPerMinute}/min`,
          },
          ...(input.balancer.nginx
            ? [
                {
                  label: '"no live upstreams" (every server out)',
                  value: String(input.balancer.nginx.noLiveUpstreams),
                },
              ]
            : []),
          ...logEvidence(input, m, [
            'connection reset by peer',
            'balancer 502',
            'balancer 503',
            'balancer 499',
            'balancer 504',
            'abnormal termination',
            'no answer from member',
          ]),
        ],
        fixes: retryFixes(input),
        confidence: 0.7,
      });
    }
    return result('balancer-errors', candidates, `fewer than ${t.balancerErrorsPerMinute} errors/min per server`);
  },
};
