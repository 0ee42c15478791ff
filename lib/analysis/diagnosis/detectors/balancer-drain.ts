// balancer-drain: a member drained at the balancer on purpose (MAINT, DRAIN, weight 0, a backup
// held in reserve) is the operator's decision, not a skew: listed as info, with its expected
// share 0 and what the others are now expected to carry.
import { formatPercent } from '../../../format';
import type { Candidate, Detector } from '../types';
import { backendName, haproxyRuntime, serverOf } from '../fixes';
import { result } from './common';

/** "06:59:12 UTC" (detectors are pure: no local time zone). */
export const utcClock = (t: number) => `${new Date(t).toISOString().slice(11, 19)} UTC`;

export const balancerDrain: Detector = {
  kind: 'balancer-drain',
  run(input) {
    const b = input.balancer;
    if (!b) return result('balancer-drain', [], '', 'no balancer configured');
    if (!b.ok) return result('balancer-drain', [], '', `balancer unreadable: ${b.error}`);
    const candidates: Candidate[] = [];
    const serving = input.members.filter((m) => !serverOf(input, m)?.drained);
    const basis = input.weighted ? 'the configured weights' : 'equal shares';
    for (const m of input.members) {
      const srv = serverOf(input, m);
      const d = srv?.drained;
      if (!srv || !d) continue;
      const since = d.sinceFirstLook ? `since at least ${utcClock(d.since)}` : `since ${utcClock(d.since)}`;
      const share = m.dims.requests.share;
      const residual = share !== null && share > 0.01;
      const others = serving.map((x) => `${x.name} ${formatPercent(x.dims.requests.expectedShare)}`).join(', ');
      const ref = input.balancerRef;
      candidates.push({
        kind: 'balancer-drain',
        members: [m.endpoint],
        severity: 'info',
        title: `${m.name} drained at the balancer (${d.reason}) ${since}`,
        summary: `${srv.name} was taken out at the balancer (${d.reason}): a decision, not a skew. Its expected share is 0 and the others' expectations are renormalised over ${basis} (${others || 'none left'}).${residual ? ` It still serves ${formatPercent(share)} of requests over connections opened before; they move when clients reconnect.` : ''}`,
        evidence: [
          {
            label: `${srv.name} at the balancer`,
            value: `${srv.status}, weight ${srv.weight}${srv.backup ? ', backup' : ''}`,
            member: m.endpoint,
          },
          { label: 'drained', value: `${d.reason} ${since}`, member: m.endpoint },
          {
            label: `${m.name} request share`,
            value: `${formatPercent(share)} (expected ${formatPercent(m.dims.requests.expectedShare)})`,
            member: m.endpoint,
          },
          { label: `expected shares now (${basis})`, value: others || 'none' },
        ],
        fixes:
          !ref || ref.type === 'haproxy'
            ? [
                {
                  title: `When ${m.name} should serve again`,
                  format: 'shell',
                  body: haproxyRuntime(ref, [
                    d.reason === 'weight 0'
                      ? `set server ${backendName(input)}/${srv.name} weight ${Math.max(1, srv.initialWeight ?? m.weight)}`
                      : `set server ${backendName(input)}/${srv.name} state ready`,
                  ]),
                  why: 'puts the server back in rotation at the balancer',
                  risk: 'only once the member is healthy (etcdctl endpoint health)',
                },
              ]
            : [],
        confidence: 0.95,
        raiseAfter: 1,
      });
    }
    return result('balancer-drain', candidates, 'no server drained at the balancer');
  },
};
