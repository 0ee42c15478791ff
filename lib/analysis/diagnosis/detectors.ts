// The detectors: one pure function per finding kind, from the current cluster view to
// candidates (with evidence and fixes) and a one-line account of what was checked.
import type { DetectorCheck, Evidence, Fix, MemberState } from '../../types';
import {
  compareVersions,
  electionFlags,
  haproxyBackend,
  haproxyRuntime,
  healthPath,
  hostPortOf,
  quotaRecovery,
  serverName,
  sq,
  weightFixes,
  weightsFromLatency,
} from './fixes';
import { formatBytes, formatDuration, formatPercent } from '../../format';
import { isLive } from '../live';
import { median } from '../../stats';
import { ERROR_WINDOW_POLLS } from '../signals';
import type { Candidate, Detector, DetectorResult, DiagnosisInput, FindingKind } from './types';

function result(kind: FindingKind, candidates: Candidate[], okNote: string, notChecked?: string): DetectorResult {
  const check: DetectorCheck = notChecked
    ? { kind, state: 'not-checked', note: notChecked }
    : candidates.length
      ? { kind, state: 'firing', note: candidates.map((c) => c.title).join('; ') }
      : { kind, state: 'ok', note: okNote };
  return { candidates, check };
}

/** p99 over the diagnosis window, only when the member saw enough calls for it to mean something. */
function latencyOf(input: DiagnosisInput, m: MemberState): number | null {
  const s = m.signals;
  return s.latencyP99 !== null && (s.latencyCount ?? 0) >= input.thresholds.minLatencySamples ? s.latencyP99 : null;
}

function serverOf(input: DiagnosisInput, m: MemberState) {
  return input.balancer?.servers.find((s) => s.member === m.endpoint) ?? null;
}

function logEvidence(input: DiagnosisInput, m: MemberState, signals: string[]): Evidence[] {
  const counts = input.logSignals?.[m.endpoint];
  if (!counts) return [];
  return signals
    .filter((s) => (counts[s] ?? 0) > 0)
    .map((s) => ({ label: `log lines "${s}"`, value: String(counts[s]), member: m.endpoint }));
}

function hexId(id: string | null): string {
  if (!id) return '<member-id>';
  try {
    return BigInt(id).toString(16);
  } catch {
    return id;
  }
}

function allEndpoints(input: DiagnosisInput): string {
  return input.members.map((m) => m.endpoint).join(',');
}

// ---------------------------------------------------------------------------------------------

export const memberDown: Detector = (input) => {
  const down = input.members.filter((m) => m.status === 'down');
  const quorumLost = down.length > 0 && input.members.length - down.length <= Math.floor(input.members.length / 2);
  const candidates: Candidate[] = down.map((m) => {
    const srv = serverOf(input, m);
    const evidence: Evidence[] = [
      { label: 'error', value: m.error ?? 'no answer', member: m.endpoint },
      {
        label: 'last seen',
        value: m.lastSeen ? new Date(m.lastSeen).toISOString() : 'never since Fulcrum started',
        member: m.endpoint,
      },
      {
        label: 'members up',
        value: `${input.members.length - down.length} of ${input.members.length}`,
        threshold: `quorum ${Math.floor(input.members.length / 2) + 1}`,
      },
    ];
    if (srv)
      evidence.push({
        label: `balancer server ${srv.name}`,
        value: `${srv.status}, check ${srv.checkStatus ?? 'none'}`,
        member: m.endpoint,
      });
    const fixes: Fix[] = [
      {
        title: `Check ${m.name} itself`,
        format: 'shell',
        body: [
          `etcdctl --endpoints=${sq(m.endpoint)} endpoint health --command-timeout=3s`,
          `etcdctl --endpoints=${sq(allEndpoints(input))} endpoint status -w table`,
          '# on the host:',
          'systemctl status etcd; journalctl -u etcd -n 200 --no-pager',
          'df -h /var/lib/etcd; free -m',
        ].join('\n'),
        why: 'a member that does not answer is crashed, hung (disk, memory) or cut off by the network',
        risk: 'none (read-only)',
      },
    ];
    if (srv?.status.startsWith('UP')) {
      fixes.push({
        title: `Take ${srv.name} out of the balancer until it is back`,
        format: 'shell',
        body: haproxyRuntime(input.balancerRef, [
          `set server ${input.balancerRef?.backend ?? 'etcd'}/${srv.name} state maint`,
        ]),
        why: 'the balancer still counts it UP, so clients connecting through it fail',
        risk: 'the other members take its share; set it back with "state ready" once healthy',
      });
    }
    fixes.push({
      title: 'If it will not come back: replace the member',
      format: 'shell',
      body: [
        `etcdctl --endpoints=${sq(
          input.members
            .filter(isLive)
            .map((x) => x.endpoint)
            .join(',') || m.endpoint,
        )} member remove ${hexId(m.id)}`,
        `etcdctl --endpoints=<a live member> member add ${m.name} --peer-urls=<new peer URL>`,
        `# then start the new member with an empty data dir and --initial-cluster-state=existing`,
      ].join('\n'),
      why: 'a permanently lost member keeps counting toward quorum until removed',
      risk: 'only with quorum intact; never remove members while another is down unless you know quorum math',
    });
    return {
      kind: 'member-down',
      members: [m.endpoint],
      severity: 'critical',
      title: `${m.name} is down`,
      summary:
        `${m.name} has not answered ${quorumLost ? '(and the cluster has lost quorum)' : ''}: ${m.error ?? 'no answer'}`.replace(
          '  ',
          ' ',
        ),
      evidence,
      fixes,
      confidence: 0.95,
      raiseAfter: 1,
    };
  });
  return result('member-down', candidates, `all ${input.members.length} members answer`);
};

export const unhealthyServing: Detector = (input) => {
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
    const backend = input.balancerRef?.backend ?? 'etcd';
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
          body: haproxyBackend(
            backend,
            input.members.map((x) => ({
              name: serverName(input, x),
              address: hostPortOf(x.endpoint),
              weight: serverOf(input, x)?.weight ?? x.weight,
            })),
            version,
          ),
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
};

export const quotaPressure: Detector = (input) => {
  const t = input.thresholds;
  const candidates: Candidate[] = [];
  const revision =
    input.members
      .map((m) => m.signals.revision)
      .filter((r): r is string => r !== null)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1))[0] ?? null;
  for (const m of input.members) {
    const nospace = m.alarms.includes('NOSPACE');
    const ratio = m.quotaBackendBytes && m.dbSizeBytes !== null ? m.dbSizeBytes / m.quotaBackendBytes : null;
    if (!nospace && !(ratio !== null && ratio >= t.quotaWarnRatio)) continue;
    const suggested = Math.min(8 * 1024 ** 3, Math.max(2 * (m.dbSizeBytes ?? 0), 2 * (m.quotaBackendBytes ?? 0)));
    candidates.push({
      kind: 'quota-pressure',
      members: [m.endpoint],
      severity: nospace ? 'critical' : 'warning',
      title: nospace
        ? `NOSPACE alarm on ${m.name}: the cluster refuses writes`
        : `${m.name} db at ${formatPercent(ratio)} of its quota`,
      summary: nospace
        ? `${m.name} went past --quota-backend-bytes and raised NOSPACE: every member refuses writes until the space is reclaimed and the alarm disarmed.`
        : `${m.name}'s backend db is ${formatBytes(m.dbSizeBytes)} of a ${formatBytes(m.quotaBackendBytes)} quota; past it etcd raises NOSPACE and refuses writes cluster-wide.`,
      evidence: [
        { label: 'db size', value: formatBytes(m.dbSizeBytes), member: m.endpoint },
        { label: 'db in use', value: formatBytes(m.dbSizeInUseBytes), member: m.endpoint },
        { label: 'quota', value: formatBytes(m.quotaBackendBytes), member: m.endpoint },
        {
          label: 'db / quota',
          value: formatPercent(ratio),
          threshold: `warning at ${formatPercent(t.quotaWarnRatio)}`,
          member: m.endpoint,
        },
        { label: 'alarms', value: m.alarms.join(', ') || 'none', member: m.endpoint },
        ...logEvidence(input, m, ['database space exceeded']),
      ],
      fixes: [
        {
          title: 'Reclaim space and clear the alarm (safe order)',
          format: 'shell',
          body: quotaRecovery(input.members, revision),
          why: 'compaction drops old revisions, defragmentation returns the space to the file system, disarm lets writes through again',
          risk: 'defrag blocks the member it runs on (reads and writes) for its duration: one member at a time, the leader last',
        },
        {
          title: 'Then prevent it',
          format: 'etcd-flags',
          body: [
            `--quota-backend-bytes=${suggested}`,
            '--auto-compaction-mode=periodic',
            '--auto-compaction-retention=1h',
          ].join('\n'),
          why: `room above today's ${formatBytes(m.dbSizeBytes)} and automatic compaction so history does not grow without bound`,
          risk: 'a bigger db takes longer to snapshot and restore; etcd recommends at most 8 GiB',
        },
      ],
      confidence: nospace ? 0.99 : 0.8,
      raiseAfter: nospace ? 1 : undefined,
    });
  }
  return result(
    'quota-pressure',
    candidates,
    `every member below ${formatPercent(t.quotaWarnRatio)} of its quota, no NOSPACE alarm`,
  );
};

/** Balancer weights as shares, in member order (null when unknown). */
function balancerWeightShares(input: DiagnosisInput): Array<number | null> | null {
  if (!input.balancer?.ok) return null;
  const ws = input.members.map((m) => (isLive(m) ? (serverOf(input, m)?.weight ?? null) : null));
  if (ws.every((w) => w === null)) return null;
  const sum = ws.reduce<number>((a, w) => a + (w ?? 0), 0);
  return sum > 0 ? ws.map((w) => (w === null ? null : w / sum)) : null;
}

function sessionShares(input: DiagnosisInput): Array<number | null> | null {
  if (!input.balancer?.ok) return null;
  const rs = input.members.map((m) => (isLive(m) ? (serverOf(input, m)?.sessionRate ?? null) : null));
  const sum = rs.reduce<number>((a, r) => a + (r ?? 0), 0);
  return sum > 0 ? rs.map((r) => (r === null ? null : r / sum)) : null;
}

export const requestSkew: Detector = (input) => {
  const t = input.thresholds;
  const s = input.scores.requests;
  if (s.score === null) return result('request-skew', [], '', `requests not scored: ${s.reason ?? 'no data'}`);
  if (s.score < t.skewScore || !s.hottest) {
    return result(
      'request-skew',
      [],
      `requests score ${s.score.toFixed(2)} below ${t.skewScore} against ${s.basis === 'weights' ? 'the configured weights' : 'equal shares'}`,
    );
  }
  const hot = input.members.find((m) => m.endpoint === s.hottest)!;
  const evidence: Evidence[] = [
    { label: 'imbalance score (requests)', value: s.score.toFixed(2), threshold: `${t.skewScore}` },
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
        bw[i] === null || m.dims.requests.expectedShare === null ? 0 : Math.abs(bw[i]! - m.dims.requests.expectedShare),
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
      (m) => isLive(m) && serverOf(input, m) && !serverOf(input, m)!.status.startsWith('UP'),
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
        title: `${hot.name} carries ${formatPercent(hot.dims.requests.share)} of requests (expected ${formatPercent(hot.dims.requests.expectedShare)})`,
        summary: `Requests are skewed toward ${hot.name} (score ${s.score.toFixed(2)}). Most likely: ${causes[0]}.`,
        evidence,
        fixes,
        confidence: bw ? 0.85 : 0.6,
      },
    ],
    '',
  );
};

export const connectionPinning: Detector = (input) => {
  const t = input.thresholds;
  if (!input.balancer?.ok)
    return result('connection-pinning', [], '', 'no readable balancer: cannot compare connections with requests');
  const ss = sessionShares(input);
  if (!ss) return result('connection-pinning', [], 'no new connections in the window to compare');
  const candidates: Candidate[] = [];
  input.members.forEach((m, i) => {
    const share = m.dims.requests.share;
    const exp = m.dims.requests.expectedShare;
    if (share === null || exp === null || ss[i] === null || input.scores.requests.score === null) return;
    if (share - exp < t.pinningShareExcess) return;
    // New connections go there just as much: that is weights (or ejections), not pinning.
    if (share - ss[i]! < t.pinningShareExcess) return;
    const srv = serverOf(input, m)!;
    const rows = input.members.map((x, j) => {
      const sv = serverOf(input, x);
      const rate = x.dims.requests.value;
      const perConn = sv?.sessionRate ? (rate ?? 0) / sv.sessionRate : null;
      return {
        label: `${x.name}`,
        value: `${rate === null ? 'n/a' : rate.toFixed(0)} req/s, ${sv?.sessionRate?.toFixed(1) ?? 'n/a'} new conn/s (${formatPercent(ss[j])}), ${sv?.scur ?? 'n/a'} open, ${perConn === null ? '∞' : perConn.toFixed(0)} req per new conn`,
        member: x.endpoint,
      };
    });
    const backend = input.balancerRef?.backend ?? 'etcd';
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
        {
          title: 'Or balance per request at L7 (HTTP/2)',
          format: 'haproxy',
          body: [
            'frontend etcd_grpc',
            '    mode http',
            '    bind :2379 proto h2',
            `    default_backend ${backend}_h2`,
            `backend ${backend}_h2`,
            '    mode http',
            '    balance roundrobin',
            `    option httpchk GET ${healthPath(m.version)}`,
            '    http-check expect status 200',
            ...input.members.map(
              (x) =>
                `    server ${serverName(input, x)} ${hostPortOf(x.endpoint)} proto h2 check check-proto h1 inter 5s weight ${serverOf(input, x)?.weight ?? x.weight}`,
            ),
          ].join('\n'),
          why: 'HAProxy in mode http balances each gRPC stream, so one connection no longer means one member',
          risk: 'Watch streams are long-lived even at L7; TLS must terminate at HAProxy or be re-encrypted',
        },
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
};

export const capacityMismatch: Detector = (input) => {
  const t = input.thresholds;
  const s = input.scores.requests;
  const withLat = input.members.filter((m) => isLive(m) && latencyOf(input, m) !== null);
  if (withLat.length < 2)
    return result(
      'capacity-mismatch',
      [],
      '',
      `latency p99 needs the gRPC histogram (--metrics extensive) and ${t.minLatencySamples} calls in the window on at least two members`,
    );
  if (s.score === null || s.score >= t.skewScore)
    return result('capacity-mismatch', [], 'shares do not follow the weights: see request-skew');
  const candidates: Candidate[] = [];
  for (const m of withLat) {
    const others = withLat.filter((x) => x !== m).map((x) => latencyOf(input, x)!);
    const med = median(others)!;
    const p99 = latencyOf(input, m)!;
    if (!(p99 >= t.capacityLatencyRatio * med && p99 >= t.slowMemberFloorSeconds)) continue;
    const current = withLat.map((x) => serverOf(input, x)?.weight ?? x.weight);
    const next = weightsFromLatency(
      current,
      withLat.map((x) => latencyOf(input, x)),
    );
    candidates.push({
      kind: 'capacity-mismatch',
      members: [m.endpoint],
      severity: p99 >= t.latencyP99Seconds ? 'critical' : 'warning',
      title: `${m.name} gets its expected share but answers ${(p99 / med).toFixed(1)}× slower than its peers`,
      summary: `Shares follow the weights, yet ${m.name}'s p99 is ${formatDuration(p99)} against ${formatDuration(med)} on the others: its weight asks more of it than it can carry.`,
      evidence: [
        ...withLat.map((x) => ({
          label: `${x.name} p99 / share`,
          value: `${formatDuration(latencyOf(input, x))} / ${formatPercent(x.dims.requests.share)} (expected ${formatPercent(x.dims.requests.expectedShare)})`,
          member: x.endpoint,
        })),
        {
          label: 'ratio to peers’ median',
          value: `${(p99 / med).toFixed(1)}×`,
          threshold: `${t.capacityLatencyRatio}×`,
        },
      ],
      fixes: weightFixes(
        input,
        withLat,
        next,
        `weights scaled by latency headroom (median p99 ${formatDuration(med)} / each member's p99): ${withLat.map((x, i) => `${x.name} ${current[i]}→${next[i]}`).join(', ')}`,
        'recompute after the change: moving load changes latency; a member slow for other reasons (disk) should be fixed, not starved',
      ),
      confidence: 0.7,
      raiseAfter: t.latencyRaiseAfterPolls,
    });
  }
  return result('capacity-mismatch', candidates, 'members with their expected share answer at similar latency');
};

export const healthCheckGap: Detector = (input) => {
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
  if (cfg?.type === 'http' && cfg.path) {
    const p = cfg.path.split('?')[0];
    const valid = p === '/health' || ((p === '/livez' || p === '/readyz') && path === '/readyz');
    if (!valid)
      problems.push({
        severity: 'critical',
        text: `the check asks for ${cfg.path}, which etcd ${version ?? ''} does not serve (use ${path})`,
        members: servers.map((s) => s.member!),
      });
  }
  const wrongStatus = servers.filter((s) => s.checkStatus?.includes('L7STS') && s.checkLayer === 'L7');
  if (wrongStatus.length && !(cfg?.type === 'http' && cfg.path && cfg.path.split('?')[0] !== '/health')) {
    // L7STS on a member that is healthy by etcd means the check path or expectation is wrong.
    const healthyButFailing = wrongStatus.filter(
      (s) => input.members.find((m) => m.endpoint === s.member)?.status === 'up',
    );
    if (healthyButFailing.length)
      problems.push({
        severity: 'critical',
        text: `the HTTP check fails (${healthyButFailing.map((s) => `${s.name}: ${s.checkStatus} ${s.checkDesc ?? ''}`.trim()).join(', ')}) on members etcd calls healthy`,
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
  const backend = input.balancerRef?.backend ?? 'etcd';
  return result(
    'health-check-gap',
    [
      {
        kind: 'health-check-gap',
        members,
        severity: problems.some((p) => p.severity === 'critical') ? 'critical' : 'warning',
        title: `The balancer's health checks cannot catch a bad member`,
        summary: `${problems.map((p) => p.text).join('; ')}.`,
        evidence: [
          ...servers.map((s) => ({
            label: `${s.name} check`,
            value: `${s.checkLayer}${s.checkStatus ? ` ${s.checkStatus}` : ''}${s.checkDesc ? ` (${s.checkDesc})` : ''}`,
            member: s.member ?? undefined,
          })),
          ...(cfg
            ? [
                {
                  label: 'configured check',
                  value: `${cfg.type}${cfg.path ? ` ${cfg.method ?? 'GET'} ${cfg.path}` : ''}, inter ${
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
            body: haproxyBackend(
              backend,
              input.members.map((m) => ({
                name: serverName(input, m),
                address: hostPortOf(m.endpoint),
                weight: serverOf(input, m)?.weight ?? m.weight,
              })),
              version,
            ),
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
};

export const leaderChurn: Detector = (input) => {
  const t = input.thresholds;
  const n = input.leaderChangesLastMinute;
  if (n === null) return result('leader-churn', [], '', 'no leader-change counters yet');
  if (n <= t.leaderChangesPerMinute)
    return result(
      'leader-churn',
      [],
      `${n} leader change(s) in the last minute (threshold ${t.leaderChangesPerMinute})`,
    );
  const drivers: string[] = [];
  const evidence: Evidence[] = [
    { label: 'leader changes, last minute', value: String(n), threshold: `> ${t.leaderChangesPerMinute}` },
  ];
  let maxRtt: number | null = null;
  for (const m of input.members) {
    const s = m.signals;
    evidence.push({ label: `${m.name} raft term`, value: m.raftTerm ?? 'n/a', member: m.endpoint });
    if (s.walFsyncP99 !== null && s.walFsyncP99 > t.walFsyncP99Seconds)
      drivers.push(`${m.name} WAL fsync p99 ${formatDuration(s.walFsyncP99)}`);
    if (s.backendCommitP99 !== null && s.backendCommitP99 > t.backendCommitP99Seconds)
      drivers.push(`${m.name} backend commit p99 ${formatDuration(s.backendCommitP99)}`);
    if (s.peerRttP99 !== null) maxRtt = Math.max(maxRtt ?? 0, s.peerRttP99);
    if (s.peerRttP99 !== null && s.peerRttP99 > t.peerRttP99Seconds)
      drivers.push(`${m.name} peer RTT p99 ${formatDuration(s.peerRttP99)}`);
    if ((s.heartbeatFailures ?? 0) > 0) drivers.push(`${m.name} failed to send ${s.heartbeatFailures} heartbeats`);
    evidence.push(
      ...logEvidence(input, m, [
        'failed to send out heartbeat on time',
        'slow fdatasync',
        'lost leader',
        'elected leader',
      ]),
    );
  }
  evidence.push({
    label: 'likely driver',
    value: drivers.join('; ') || 'none visible in disk, network or heartbeat metrics',
  });
  const f = electionFlags(maxRtt);
  const fixes: Fix[] = [
    {
      title: 'Election timing that matches the measured network',
      format: 'etcd-flags',
      body: `--heartbeat-interval=${f.heartbeatMs}\n--election-timeout=${f.electionMs}`,
      why:
        maxRtt !== null
          ? `heartbeat near the peer round-trip time (p99 ${formatDuration(maxRtt)}) and election timeout 10× it, so slow links do not trigger elections`
          : 'no peer RTT measured: 500 ms / 2000 ms suits slow links (set on every member)',
      risk: 'longer timeouts also mean a real leader failure is detected later; set the same values on every member (rolling restart)',
    },
    {
      title: 'Fast, dedicated disk for the WAL',
      format: 'etcd-flags',
      body: '--wal-dir=/var/lib/etcd-wal   # on its own SSD\n# and watch it: iostat -x 1  (keep %util below 70 %)',
      why: 'slow fsync makes followers miss heartbeats; WAL fsync p99 should stay below 10 ms',
      risk: 'moving the WAL needs a member restart with the WAL copied',
    },
  ];
  if (drivers.length === 0) {
    fixes.push({
      title: 'Look for deliberate moves and restarts',
      format: 'shell',
      body: `etcdctl --endpoints=${sq(allEndpoints(input))} endpoint status -w table   # watch RAFT TERM\n# were there etcdctl move-leader calls, member restarts or CPU starvation?`,
      why: 'without a disk or network driver, leadership is being moved or members restart',
      risk: 'none (read-only)',
    });
  }
  return result(
    'leader-churn',
    [
      {
        kind: 'leader-churn',
        members: input.members.filter(isLive).map((m) => m.endpoint),
        severity: n > 5 * Math.max(1, t.leaderChangesPerMinute) ? 'critical' : 'warning',
        title: `${n} leader changes in the last minute`,
        summary: `Leadership keeps moving (${n}/min, threshold ${t.leaderChangesPerMinute}); each new leader takes a burst of traffic and writes stall during elections. ${drivers.length ? `Likely driver: ${drivers[0]}.` : 'No disk or network driver visible.'}`,
        evidence,
        fixes,
        confidence: drivers.length ? 0.8 : 0.6,
        raiseAfter: 1,
      },
    ],
    '',
  );
};

export const slowMember: Detector = (input) => {
  const t = input.thresholds;
  const withLat = input.members.filter((m) => isLive(m) && latencyOf(input, m) !== null);
  if (withLat.length === 0)
    return result(
      'slow-member',
      [],
      '',
      `no latency histogram (--metrics extensive) or fewer than ${t.minLatencySamples} calls in the window`,
    );
  const candidates: Candidate[] = [];
  for (const m of withLat) {
    const p99 = latencyOf(input, m)!;
    const med = median(withLat.filter((x) => x !== m).map((x) => latencyOf(input, x)!));
    const relative = med !== null && p99 >= t.slowMemberRatio * med && p99 >= t.slowMemberFloorSeconds;
    const absolute = p99 >= t.latencyP99Seconds;
    if (!relative && !absolute) continue;
    const current = withLat.map((x) => serverOf(input, x)?.weight ?? x.weight);
    const next = weightsFromLatency(
      current,
      withLat.map((x) => latencyOf(input, x)),
    );
    candidates.push({
      kind: 'slow-member',
      members: [m.endpoint],
      severity: absolute ? 'critical' : 'warning',
      title: `${m.name} p99 latency ${formatDuration(p99)}${med !== null ? ` (peers ${formatDuration(med)})` : ''}`,
      summary: `${m.name} answers far slower than ${absolute ? `the ${formatDuration(t.latencyP99Seconds)} limit` : 'its peers'}: clients pinned to it time out first.`,
      evidence: [
        ...withLat.map((x) => ({
          label: `${x.name} p99`,
          value: formatDuration(latencyOf(input, x)),
          member: x.endpoint,
        })),
        {
          label: 'thresholds',
          value: `${formatDuration(t.latencyP99Seconds)} absolute, ${t.slowMemberRatio}× peers' median`,
        },
        {
          label: `${m.name} WAL fsync / commit p99`,
          value: `${formatDuration(m.signals.walFsyncP99)} / ${formatDuration(m.signals.backendCommitP99)}`,
          member: m.endpoint,
        },
        ...logEvidence(input, m, ['request took too long', 'slow fdatasync', 'DeadlineExceeded']),
      ],
      fixes: weightFixes(
        input,
        withLat,
        next,
        `moves load off the slow member in proportion to its latency (${withLat.map((x, i) => `${x.name} ${current[i]}→${next[i]}`).join(', ')})`,
        'treats the symptom: find why it is slow (disk, CPU, noisy neighbour) — see slow-disk',
      ),
      confidence: 0.75,
      raiseAfter: t.latencyRaiseAfterPolls,
    });
  }
  return result(
    'slow-member',
    candidates,
    `p99 below ${formatDuration(t.latencyP99Seconds)} and within ${t.slowMemberRatio}× of peers`,
  );
};

export const slowDisk: Detector = (input) => {
  const t = input.thresholds;
  const known = input.members.filter((m) => m.signals.walFsyncP99 !== null || m.signals.backendCommitP99 !== null);
  if (known.length === 0) return result('slow-disk', [], '', 'no disk histograms yet');
  const candidates: Candidate[] = [];
  for (const m of known) {
    const w = m.signals.walFsyncP99;
    const c = m.signals.backendCommitP99;
    const wBad = w !== null && w > t.walFsyncP99Seconds;
    const cBad = c !== null && c > t.backendCommitP99Seconds;
    if (!wBad && !cBad) continue;
    // Just over the line is worth knowing, not paging for: 2x the threshold warns, 10x is critical.
    const over = Math.max((w ?? 0) / t.walFsyncP99Seconds, (c ?? 0) / t.backendCommitP99Seconds);
    candidates.push({
      kind: 'slow-disk',
      members: [m.endpoint],
      severity: over >= 10 ? 'critical' : over >= 2 ? 'warning' : 'info',
      title:
        over >= 2
          ? `${m.name} disk is slow (WAL fsync p99 ${formatDuration(w)}, commit p99 ${formatDuration(c)})`
          : `${m.name} disk slightly over etcd's latency guidance (WAL fsync p99 ${formatDuration(w)}, commit p99 ${formatDuration(c)})`,
      summary: `${m.name}'s disk can't keep up: slow fsync delays every write it takes part in and makes it miss heartbeats.`,
      evidence: [
        {
          label: 'WAL fsync p99',
          value: formatDuration(w),
          threshold: `${formatDuration(t.walFsyncP99Seconds)}`,
          member: m.endpoint,
        },
        {
          label: 'backend commit p99',
          value: formatDuration(c),
          threshold: `${formatDuration(t.backendCommitP99Seconds)}`,
          member: m.endpoint,
        },
        ...logEvidence(input, m, ['slow fdatasync', 'request took too long']),
      ],
      fixes: [
        {
          title: 'Dedicated fast disk for the WAL',
          format: 'etcd-flags',
          body: '--wal-dir=/var/lib/etcd-wal   # a local SSD of its own',
          why: 'the WAL is fsync-bound: an SSD of its own removes contention with the db and other I/O',
          risk: 'needs a member restart with the WAL moved',
        },
        {
          title: 'Measure and de-prioritise competing I/O',
          format: 'shell',
          body: 'iostat -x 1 5           # %util should stay below 70 %\nionice -c2 -n0 -p "$(pgrep -x etcd)"   # best-effort, highest priority',
          why: 'shows whether the disk is saturated and gives etcd first claim on it',
          risk: 'ionice helps only with the CFQ/BFQ schedulers',
        },
      ],
      confidence: 0.8,
      raiseAfter: t.latencyRaiseAfterPolls,
    });
  }
  return result(
    'slow-disk',
    candidates,
    `WAL fsync p99 ≤ ${formatDuration(t.walFsyncP99Seconds)} and commit p99 ≤ ${formatDuration(t.backendCommitP99Seconds)} everywhere`,
  );
};

export const raftLag: Detector = (input) => {
  const t = input.thresholds;
  const leader = input.members.find((m) => m.isLeader && isLive(m));
  if (!leader || leader.raftIndex === null) return result('raft-lag', [], '', 'no leader index to compare with');
  const candidates: Candidate[] = [];
  for (const m of input.members) {
    if (m === leader || !isLive(m) || m.raftAppliedIndex === null) continue;
    let lag: bigint;
    try {
      lag = BigInt(leader.raftIndex) - BigInt(m.raftAppliedIndex);
    } catch {
      continue;
    }
    const stalled = m.signals.appliedStalledPolls >= t.raftStalledPolls;
    if (lag <= BigInt(t.raftLagEntries) && !stalled) continue;
    candidates.push({
      kind: 'raft-lag',
      members: [m.endpoint],
      severity: stalled ? 'critical' : 'warning',
      title: stalled ? `${m.name} stopped applying raft entries` : `${m.name} is ${lag} entries behind the leader`,
      summary: `${m.name}'s applied index ${m.raftAppliedIndex} trails the leader's ${leader.raftIndex}${stalled ? ` and has not moved for ${m.signals.appliedStalledPolls} polls` : ''}: it serves stale reads and slows linearizable ones.`,
      evidence: [
        { label: 'leader raft index', value: leader.raftIndex, member: leader.endpoint },
        { label: `${m.name} applied index`, value: m.raftAppliedIndex, member: m.endpoint },
        { label: 'lag (entries)', value: lag.toString(), threshold: String(t.raftLagEntries) },
        {
          label: 'polls without progress',
          value: String(m.signals.appliedStalledPolls),
          threshold: String(t.raftStalledPolls),
        },
        { label: `${m.name} WAL fsync p99`, value: formatDuration(m.signals.walFsyncP99), member: m.endpoint },
      ],
      fixes: [
        {
          title: `Find out why ${m.name} can't keep up`,
          format: 'shell',
          body: `etcdctl --endpoints=${sq(allEndpoints(input))} endpoint status -w table   # compare RAFT INDEX / RAFT APPLIED INDEX\n# on ${m.name}: iostat -x 1; top -p "$(pgrep -x etcd)"`,
          why: 'a follower falls behind when its disk or CPU is saturated or its network to the leader is slow',
          risk: 'none (read-only)',
        },
        {
          title: 'If it never catches up: rebuild it',
          format: 'shell',
          body: `etcdctl --endpoints=${sq(leader.endpoint)} member remove ${hexId(m.id)}\netcdctl --endpoints=${sq(leader.endpoint)} member add ${m.name} --peer-urls=<its peer URL>\n# wipe its data dir, start it with --initial-cluster-state=existing`,
          why: 'a fresh member gets a snapshot from the leader instead of replaying entries',
          risk: 'the cluster runs one member short meanwhile; never do this to two members at once',
        },
      ],
      confidence: 0.75,
    });
  }
  return result('raft-lag', candidates, `followers within ${t.raftLagEntries} entries of the leader`);
};

export const peerNetwork: Detector = (input) => {
  const t = input.thresholds;
  const candidates: Candidate[] = [];
  let seen = 0;
  for (const m of input.members) {
    const s = m.signals;
    if (s.peerRttP99 === null && s.peerSendFailures === null) continue;
    seen++;
    const rttBad = s.peerRttP99 !== null && s.peerRttP99 > t.peerRttP99Seconds;
    // Failed sends to a peer that is down are explained by member-down.
    const failures = input.members.some((x) => x.status === 'down' || x.status === 'unknown')
      ? 0
      : (s.peerSendFailures ?? 0);
    const logs = logEvidence(input, m, ['failed to connect to member', 'connection reset by peer']);
    if (!rttBad && failures === 0) continue;
    const f = electionFlags(s.peerRttP99);
    candidates.push({
      kind: 'peer-network',
      members: [m.endpoint],
      severity: failures > 0 && rttBad ? 'critical' : 'warning',
      title: `${m.name} has trouble reaching its peers`,
      summary: `${rttBad ? `peer round-trip p99 ${formatDuration(s.peerRttP99)}` : ''}${rttBad && failures ? ' and ' : ''}${failures ? `${failures} failed peer sends in the last few polls` : ''}: raft messages are slow or lost.`,
      evidence: [
        {
          label: 'peer RTT p99',
          value: formatDuration(s.peerRttP99),
          threshold: formatDuration(t.peerRttP99Seconds),
          member: m.endpoint,
        },
        { label: 'peer send failures (last polls)', value: String(failures), threshold: '0', member: m.endpoint },
        ...logs,
      ],
      fixes: [
        {
          title: 'Check routes between the members',
          format: 'shell',
          body: input.members
            .filter((x) => x !== m)
            .map(
              (x) =>
                `# from ${m.name}: ping -c 5 ${new URL(x.endpoint).hostname}; nc -vz ${new URL(x.endpoint).hostname} 2380`,
            )
            .join('\n'),
          why: 'members in subnets without routes (or with a firewall between) fail peer sends and time out heartbeats',
          risk: 'none (read-only)',
        },
        {
          title: 'Election timing for this round-trip time',
          format: 'etcd-flags',
          body: `--heartbeat-interval=${f.heartbeatMs}\n--election-timeout=${f.electionMs}`,
          why: 'heartbeat near the measured RTT, election timeout 10× it, so slow links do not cause elections',
          risk: 'slower detection of a real leader failure; same values on every member',
        },
      ],
      confidence: 0.7,
    });
  }
  if (seen === 0) return result('peer-network', [], '', 'no peer metrics (single member, or /metrics unreadable)');
  return result(
    'peer-network',
    candidates,
    `peer RTT p99 ≤ ${formatDuration(t.peerRttP99Seconds)}, no failed peer sends`,
  );
};

export const balancerErrors: Detector = (input) => {
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
    const backend = input.balancerRef?.backend ?? 'etcd';
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
      fixes: [
        {
          title: 'Retry elsewhere and align idle timeouts',
          format: 'haproxy',
          body: [
            `backend ${backend}`,
            '    retries 3',
            '    option redispatch',
            '    timeout connect 2s',
            '    timeout server 1h    # longer than the clients’ keepalive: gRPC streams are long-lived',
            '    timeout tunnel 1h',
          ].join('\n'),
          why: 'a connection the member already closed must not be reused, and a failed connect should go to another member',
          risk: 'retries can double-apply non-idempotent requests at L7; in mode tcp they only retry the connect',
        },
        {
          title: 'NGINX: no reuse of upstream connections the member closed',
          format: 'nginx',
          body: 'grpc_next_upstream error timeout unavailable;\ngrpc_next_upstream_tries 2;\n# and keep "keepalive_timeout" on the upstream shorter than etcd\'s idle close',
          why: '"connection reset by peer" from reusing closed keep-alive connections',
          risk: 'retrying non-idempotent calls',
        },
      ],
      confidence: 0.7,
    });
  }
  return result('balancer-errors', candidates, `fewer than ${t.balancerErrorsPerMinute} errors/min per server`);
};

export const versionSkew: Detector = (input) => {
  const versions = input.members.filter((m) => m.version).map((m) => ({ m, v: m.version! }));
  if (versions.length === 0) return result('version-skew', [], '', 'no member version known yet');
  const distinct = [...new Set(versions.map((x) => x.v))].sort(compareVersions);
  const old = versions.filter((x) => compareVersions(x.v, '3.5.0') < 0);
  const mixed = distinct.length > 1;
  if (!mixed && old.length === 0) return result('version-skew', [], `all members on ${distinct[0]}`);
  const newest = distinct[distinct.length - 1];
  const members = mixed
    ? versions.filter((x) => x.v !== newest).map((x) => x.m.endpoint)
    : old.map((x) => x.m.endpoint);
  const target = compareVersions(newest, '3.5.0') < 0 ? '3.5.x' : newest;
  return result(
    'version-skew',
    [
      {
        kind: 'version-skew',
        members,
        severity: mixed ? 'warning' : 'info',
        title: mixed
          ? `Members run different etcd versions (${distinct.join(', ')})`
          : `etcd ${distinct.join(', ')}: an older release line`,
        summary: mixed
          ? 'Mixed versions run at the lowest version’s cluster protocol; finish the rolling upgrade.'
          : 'etcd 3.4 has known client balancer and connection-leak issues fixed in 3.5; plan the upgrade.',
        evidence: versions.map((x) => ({ label: `${x.m.name} version`, value: x.v, member: x.m.endpoint })),
        fixes: [
          {
            title: `Rolling upgrade to ${target}, one member at a time`,
            format: 'shell',
            body: [
              `etcdctl --endpoints=${sq(input.members[0]?.endpoint ?? '')} snapshot save backup-$(date +%F).db   # first`,
              ...[...input.members.filter((m) => !m.isLeader), ...input.members.filter((m) => m.isLeader)].map(
                (m) =>
                  `# ${m.name}${m.isLeader ? ' (leader, last)' : ''}: stop, replace the binary with ${target}, start; then:\netcdctl --endpoints=${sq(m.endpoint)} endpoint health`,
              ),
            ].join('\n'),
            why: 'upgrading one member at a time keeps quorum; 3.4 → 3.5 is supported as a rolling upgrade from the latest 3.4 patch',
            risk: 'never skip a minor version; keep the snapshot until every member runs the new version',
          },
        ],
        confidence: 0.9,
      },
    ],
    '',
  );
};

export const DETECTORS: Detector[] = [
  memberDown,
  unhealthyServing,
  quotaPressure,
  requestSkew,
  connectionPinning,
  capacityMismatch,
  healthCheckGap,
  leaderChurn,
  slowMember,
  slowDisk,
  raftLag,
  peerNetwork,
  balancerErrors,
  versionSkew,
];

export function diagnose(input: DiagnosisInput): { candidates: Candidate[]; checks: DetectorCheck[] } {
  const candidates: Candidate[] = [];
  const checks: DetectorCheck[] = [];
  for (const d of DETECTORS) {
    const r = d(input);
    candidates.push(...r.candidates);
    checks.push(r.check);
  }
  return { candidates, checks };
}
