// request-skew: requests far from the expected shares, with the causes the balancer lets us rule in or out.
import type { Evidence, Fix } from '../../../types';
import { formatPercent } from '../../../format';
import { isLive } from '../../live';
import type { Detector, DiagnosisInput } from '../types';
import { serverOf, weightFixes } from '../fixes';
import { result, sessionShares } from './common';

/** Balancer weights as shares, in member order (null when unknown); a drained server weighs 0. */
function balancerWeightShares(input: DiagnosisInput): Array<number | null> | null {
  if (!input.balancer?.ok) return null;
  const ws = input.members.map((m) => {
    const srv = isLive(m) ? serverOf(input, m) : null;
    return srv ? (srv.drained ? 0 : srv.weight) : null;
  });
  if (ws.every((w) => w === null)) return null;
  const sum = ws.reduce<number>((a, w) => a + (w ?? 0), 0);
  return sum > 0 ? ws.map((w) => (w === null ? null : w / sum)) : null;
}

/**
 * What the expected shares were measured against: the configured weights or equal shares, with
 * the members drained at the balancer set aside (expected 0).
 */
export function basisText(input: DiagnosisInput): string {
  const s = input.scores.requests;
  const drained = input.members.filter((m) => serverOf(input, m)?.drained);
  const base =
    s.basis === 'weights'
      ? `the configured weights ${input.members.map((m) => m.weight).join('/')}`
      : 'equal shares (no weights configured)';
  return drained.length
    ? `${base}, with ${drained.map((m) => `${m.name} drained at the balancer (expected 0)`).join(', ')}`
    : base;
}

export const requestSkew: Detector = {
  kind: 'request-skew',
  run(input) {
    const t = input.thresholds;
    const s = input.scores.requests;
    if (s.score === null) return result('request-skew', [], '', `requests not scored: ${s.reason ?? 'no data'}`);
    const basis = basisText(input);
    if (s.score < t.skewScore || !s.hottest) {
      return result('request-skew', [], `requests score ${s.score.toFixed(2)} below ${t.skewScore} against ${basis}`);
    }
    const hot = input.members.find((m) => m.endpoint === s.hottest)!;
    const evidence: Evidence[] = [
      { label: 'imbalance score (requests)', value: s.score.toFixed(2), threshold: `${t.skewScore}` },
      { label: 'measured against', value: basis },
      ...input.members.map((m) => ({
        label: `${m.name} share`,
        value: `${formatPercent(m.dims.requests.share)} (expected ${formatPercent(m.dims.requests.expectedShare)})`,
        member: m.endpoint,
      })),
    ];
    const causes: string[] = [];
    const ruledOut: string[] = [];
    const fixes: Fix[] = [];
    const live3 = input.members.filter(isLive);
    const bw = balancerWeightShares(input);
    if (bw) {
      const diff = Math.max(
        ...input.members.map((m, i) =>
          bw[i] === null || m.dims.requests.expectedShare === null
            ? 0
            : Math.abs(bw[i]! - m.dims.requests.expectedShare),
        ),
      );
      const weights = input.members.map((m) => serverOf(input, m)?.weight ?? '?').join('/');
      evidence.push({ label: 'balancer weights now', value: weights });
      if (diff > 0.05) {
        causes.push(
          `the balancer's weights (${weights}) differ from the expected shares${input.weighted ? ` (configured ${input.members.map((m) => m.weight).join('/')})` : ' (equal)'}`,
        );
        fixes.push(
          ...weightFixes(
            input,
            live3,
            live3.map((m) => Math.max(1, Math.round(input.weighted ? m.weight : 10))),
            `puts the balancer's weights back to the expected ${input.weighted ? 'configured weights' : 'equal shares'}`,
            'if the new weights were intended, change Fulcrum’s expected weights instead; existing long-lived connections move only when clients reconnect',
          ),
        );
      } else ruledOut.push('balancer weights match the expected shares');
      const ss = sessionShares(input);
      const hi = input.members.indexOf(hot);
      if (
        ss &&
        ss[hi] !== null &&
        hot.dims.requests.share !== null &&
        hot.dims.requests.share - ss[hi]! > t.pinningShareExcess
      ) {
        causes.push(
          `connection pinning: ${hot.name} gets ${formatPercent(ss[hi])} of new connections but ${formatPercent(hot.dims.requests.share)} of requests`,
        );
      } else if (ss) ruledOut.push('new connections are spread like the requests');
      const ejected = input.members.filter(
        (m) =>
          isLive(m) &&
          serverOf(input, m) &&
          !serverOf(input, m)!.drained &&
          !serverOf(input, m)!.status.startsWith('UP'),
      );
      if (ejected.length)
        causes.push(
          `the balancer has ${ejected.map((m) => `${serverOf(input, m)!.name} ${serverOf(input, m)!.status}`).join(', ')} while etcd answers`,
        );
    } else {
      causes.push(
        'balancer weights or health-check ejections (no balancer configured to check)',
        'connection pinning (long-lived gRPC connections)',
      );
    }
    causes.push('clients that list only some endpoints (client-side balancing)');
    if (fixes.length === 0) {
      fixes.push(
        ...weightFixes(
          input,
          live3,
          live3.map((m) => Math.max(1, Math.round(input.weighted ? m.weight : 10))),
          'makes the balancer’s weights match the expected shares explicitly',
          'if the skew comes from pinned connections, weights alone will not move it',
        ),
      );
    }
    evidence.push({ label: 'candidate causes', value: causes.join('; ') });
    if (ruledOut.length) evidence.push({ label: 'ruled out', value: ruledOut.join('; ') });
    return result(
      'request-skew',
      [
        {
          kind: 'request-skew',
          members: [hot.endpoint],
          severity: s.score >= t.skewScoreCritical ? 'critical' : 'warning',
          title: `${hot.name} carries ${formatPercent(hot.dims.requests.share)} of requests (expected ${formatPercent(hot.dims.requests.expectedShare)} by ${s.basis === 'weights' ? 'the configured weights' : 'equal shares'})`,
          summary: `Requests are skewed toward ${hot.name} (score ${s.score.toFixed(2)} against ${basis}). Most likely: ${causes[0]}.`,
          evidence,
          fixes,
          confidence: bw ? 0.85 : 0.6,
        },
      ],
      '',
    );
  },
};
