// connection-pinning: requests that follow a few long-lived connections (L4 balancing) instead of the weights.
import { formatDuration, formatPercent } from '../../../format';
import type { Candidate, Detector } from '../types';
import { l7Fix, serverOf } from '../fixes';
import { result, sessionShares } from './common';

export const connectionPinning: Detector = {
  kind: 'connection-pinning',
  run(input) {
    const t = input.thresholds;
    if (!input.balancer?.ok)
      return result('connection-pinning', [], '', 'no readable balancer: cannot compare connections with requests');
    const ss = sessionShares(input);
    if (!ss) return result('connection-pinning', [], 'no new connections in the window to compare');
    const candidates: Candidate[] = [];
    input.members.forEach((m, i) => {
      // A drained member keeps its old connections until clients reconnect: balancer-drain says so.
      if (serverOf(input, m)?.drained) return;
      const share = m.dims.requests.share;
      const exp = m.dims.requests.expectedShare;
      if (share === null || exp === null || ss[i] === null || input.scores.requests.score === null) return;
      if (share - exp < t.pinningShareExcess) return;
      // New connections go there just as much: that is weights (or ejections), not pinning.
      if (share - ss[i]! < t.pinningShareExcess) return;
      const srv = serverOf(input, m)!;
      // open-source NGINX logs a session when it ends: "sessions ended" and how long they lasted
      const nginxLogs = input.balancer?.type === 'nginx' && !input.balancer.nginx?.plus;
      const rows = input.members.map((x, j) => {
        const sv = serverOf(input, x);
        const rate = x.dims.requests.value;
        const perConn = sv?.sessionRate ? (rate ?? 0) / sv.sessionRate : null;
        const open = nginxLogs
          ? `mean session ${sv?.meanTimeMs === null || sv?.meanTimeMs === undefined ? 'n/a' : formatDuration(sv.meanTimeMs / 1000)}`
          : `${sv?.scur ?? 'n/a'} open`;
        return {
          label: `${x.name}`,
          value: `${rate === null ? 'n/a' : rate.toFixed(0)} req/s, ${sv?.sessionRate?.toFixed(1) ?? 'n/a'} ${nginxLogs ? 'sessions ended' : 'new conn'}/s (${formatPercent(ss[j])}), ${open}, ${perConn === null ? '∞' : perConn.toFixed(0)} req per ${nginxLogs ? 'session' : 'new conn'}`,
          member: x.endpoint,
        };
      });
      candidates.push({
        kind: 'connection-pinning',
        members: [m.endpoint],
        severity: share - exp >= 2 * t.pinningShareExcess ? 'critical' : 'warning',
        title: `${m.name}'s load follows long-lived connections, not the weights`,
        summary: `${m.name} gets ${formatPercent(ss[i])} of new connections (expected ${formatPercent(exp)}) but serves ${formatPercent(share)} of requests: a few long-lived gRPC connections landed on it and stay there (L4 balancing).`,
        evidence: [
          {
            label: `${srv.name} request share`,
            value: formatPercent(share),
            threshold: `expected ${formatPercent(exp)} + ${formatPercent(t.pinningShareExcess)}`,
            member: m.endpoint,
          },
          { label: `${srv.name} share of new connections`, value: formatPercent(ss[i]), member: m.endpoint },
          ...rows,
          { label: 'watch streams on it', value: String(m.dims.watchStreams.value ?? 'n/a'), member: m.endpoint },
        ],
        fixes: [
          {
            title: 'Give clients every endpoint (client-side balancing)',
            format: 'text',
            body: [
              `etcdctl --endpoints=${input.members.map((x) => x.endpoint).join(',')} ...`,
              `// Go clientv3: clientv3.Config{Endpoints: []string{${input.members.map((x) => JSON.stringify(x.endpoint)).join(', ')}}}`,
              `# Kubernetes API server: --etcd-servers=${input.members.map((x) => x.endpoint).join(',')}`,
            ].join('\n'),
            why: 'the gRPC client then spreads its calls over members itself instead of pinning one connection',
            risk: 'clients must reach every member directly (routes, TLS SANs)',
          },
          l7Fix(input),
          {
            title: 'Or make clients reconnect now and then',
            format: 'text',
            body: 'Cap client connection age (e.g. recycle the etcd client every N minutes, or set a gRPC MaxConnectionAge on an L7 proxy) so connections reshuffle across members.',
            why: 'a restart of clients reshuffles load; capping age makes that continuous',
            risk: 'reconnect storms if every client recycles at the same moment: add jitter',
          },
        ],
        confidence: 0.8,
      });
    });
    return result('connection-pinning', candidates, 'request shares follow new-connection shares');
  },
};
