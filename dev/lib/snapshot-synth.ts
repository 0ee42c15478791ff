// A realistic synthetic snapshot for benchmarks and store tests: a 3-member cluster (weights
// 30/20/10, one member carrying far more than its share) at 1 s resolution, frames built by the
// real frame builder, with findings, events and log excerpts. Deterministic for a given seed.
import { buildFrame } from '../../lib/analysis/frames';
import { scoreDimensions } from '../../lib/analysis/score';
import { emptyDimRecord } from '../../lib/dimensions';
import { newSnapshotId } from '../../lib/snapshots/ids';
import { SNAPSHOT_SCHEMA_VERSION, type ExcerptLine, type SnapshotRecord } from '../../lib/store/types';
import {
  DIMENSION_IDS,
  type ClusterEvent,
  type DimensionId,
  type Finding,
  type Frame,
  type MemberState,
} from '../../lib/types';
import { makeMember, quietSignals } from '../../lib/testkit';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

export interface SynthOptions {
  seconds?: number;
  members?: number;
  seed?: number;
  end?: number;
  /** About this many extra bytes of log lines (to make records bigger for crash tests). */
  padBytes?: number;
}

const WEIGHTS = [30, 20, 10, 10, 10, 10, 10];
/** Actual shares of traffic: etcd-3 (weight 10) is the hot one. */
const SHARES = [0.3, 0.2, 0.5, 0.1, 0.1, 0.1, 0.1];

export function synthSnapshot(opts: SynthOptions = {}): SnapshotRecord {
  const seconds = opts.seconds ?? 3600;
  const n = opts.members ?? 3;
  const rand = rng(opts.seed ?? 42);
  const end = opts.end ?? Date.UTC(2026, 10, 25, 14, 0, 0);
  const from = end - seconds * 1000;
  const endpoints = Array.from({ length: n }, (_, i) => `https://10.0.1.${11 + i}:2379`);
  const names = Array.from({ length: n }, (_, i) => `etcd-${i + 1}`);
  const weights = WEIGHTS.slice(0, n);
  const shares = SHARES.slice(0, n);
  const sumShares = shares.reduce((a, b) => a + b, 0);
  const jitter = (x: number, f = 0.1) => x * (1 + (rand() * 2 - 1) * f);

  let leader = 0;
  const events: ClusterEvent[] = [];
  const frames: Frame[] = [];
  for (let k = 1; k <= seconds; k++) {
    const t = from + k * 1000;
    if (k % 900 === 0) {
      leader = (leader + 1) % n;
      events.push({
        t,
        kind: 'leader-change',
        member: endpoints[leader],
        detail: `leader changed to ${names[leader]} (term ${7 + k / 900})`,
      });
    }
    const total = jitter(600, 0.15);
    const values = emptyDimRecord<(number | null)[]>(() => new Array(n).fill(null));
    for (let i = 0; i < n; i++) {
      const req = (total * shares[i]) / sumShares;
      values.requests[i] = jitter(req, 0.05);
      values.reads[i] = jitter(req * 0.7, 0.05);
      values.writes[i] = jitter(req * 0.3, 0.05);
      values.bytesIn[i] = jitter(req * 180, 0.08);
      values.bytesOut[i] = jitter(req * 420, 0.08);
      values.watchStreams[i] = Math.round(jitter(40 * shares[i] * n, 0.02));
      values.dbSize[i] = 25_165_824 + Math.round(k * 512 * (1 + i * 0.01));
      values.latencyP99[i] = jitter(i === 2 ? 0.18 : 0.012, 0.3);
      values.cpu[i] = jitter(0.2 + shares[i] * 1.4, 0.1);
      values.peerBytesOut[i] = i === leader ? jitter(90_000, 0.1) : jitter(2_000, 0.2);
    }
    frames.push(buildFrame({ t, origin: 'poll', up: new Array(n).fill(true), leader, weights, endpoints, values }));
  }
  const last = frames[frames.length - 1];
  const windowed = emptyDimRecord<(number | null)[]>((id) => last.values[id].slice());
  const scored = scoreDimensions({ up: new Array(n).fill(true), leader, weights, values: windowed }, endpoints);
  const members: MemberState[] = endpoints.map((endpoint, i) =>
    makeMember({
      endpoint,
      name: names[i],
      id: String(10_000_000_000_000_000_000n + BigInt(i) * 1_234_567_890_123n),
      isLeader: i === leader,
      dbSizeBytes: last.values.dbSize[i],
      dbSizeInUseBytes: last.values.dbSize[i] === null ? null : Math.round(last.values.dbSize[i]! * 0.6),
      leaderId: String(10_000_000_000_000_000_000n + BigInt(leader) * 1_234_567_890_123n),
      raftIndex: String(1_000_000 + seconds * 200),
      raftTerm: String(7 + Math.floor(seconds / 900)),
      raftAppliedIndex: String(1_000_000 + seconds * 200 - i),
      weight: weights[i],
      lastSeen: end,
      dims: emptyDimRecord((id: DimensionId) => ({
        value: windowed[id][i],
        share: scored.shares[id][i],
        expectedShare: scored.expected[id][i],
      })),
      // etcd-3 has the slow disk the findings talk about
      signals: quietSignals(
        i === 2
          ? {
              walFsyncP99: 0.9,
              backendCommitP99: 0.4,
              heartbeatFailures: 12,
              slowApplies: 30,
              revision: String(500_000 + seconds * 60),
              latencyP99: null,
              latencyCount: null,
            }
          : { revision: String(500_000 + seconds * 60), latencyP99: null, latencyCount: null },
      ),
    }),
  );
  const hot = endpoints[2 % n];
  const findings: Finding[] = [
    {
      id: 'capacity-mismatch:hot',
      kind: 'capacity-mismatch',
      cluster: 'prod-main',
      members: [hot],
      severity: 'critical',
      since: from + 600_000,
      title: `${names[2 % n]} carries 3× its expected share of requests`,
      summary: 'Weights 30/20/10 promise it 17 % of requests; it gets 50 %, and its p99 latency is 15× its peers.',
      evidence: [
        { label: 'request share', value: '50.0 %', threshold: '≤ 27 %', member: hot },
        { label: 'p99 latency vs peers', value: '15×', threshold: '≤ 3×', member: hot },
      ],
      fixes: [
        {
          title: 'Capacity-proportional weights',
          format: 'haproxy',
          body: `set server etcd/${names[0]} weight 30\nset server etcd/${names[1]} weight 20\nset server etcd/${names[2 % n]} weight 5`,
          why: 'lower the hot member’s weight until its share matches its capacity',
          risk: 'low: runtime change, reverts on reload unless the config file is updated too',
        },
      ],
      confidence: 0.85,
    },
    {
      id: 'slow-disk:hot',
      kind: 'slow-disk',
      cluster: 'prod-main',
      members: [hot],
      severity: 'warning',
      since: from + 1_200_000,
      title: `${names[2 % n]}: WAL fsync p99 0.9 s`,
      summary: 'The WAL fsync p99 is far above 10 ms: followers miss heartbeats, elections follow.',
      evidence: [{ label: 'WAL fsync p99', value: '900 ms', threshold: '≤ 10 ms', member: hot }],
      fixes: [
        {
          title: 'Dedicated WAL disk',
          format: 'etcd-flags',
          body: '--wal-dir=/var/lib/etcd-wal',
          why: 'separate the WAL from the backend',
          risk: 'needs a restart',
        },
      ],
      confidence: 0.7,
    },
  ];
  const msgs = [
    'slow fdatasync',
    'request took too long',
    'failed to send out heartbeat on time',
    'apply request took too long',
  ];
  const logMembers = endpoints.map((endpoint, i) => {
    const count = i === 2 % n ? 120 : 40;
    const lines: ExcerptLine[] = Array.from({ length: count }, (_, j) => {
      const t = from + Math.floor(((j + 1) / (count + 1)) * seconds * 1000);
      const msg = msgs[j % msgs.length];
      return {
        t,
        source: 'member' as const,
        level: 'warn',
        msg,
        raw: JSON.stringify({
          level: 'warn',
          ts: new Date(t).toISOString(),
          caller: 'etcdserver/util.go:166',
          msg,
          took: `${(1 + rand() * 2).toFixed(3)}s`,
          expected: '100ms',
        }),
        signals:
          msg === 'slow fdatasync'
            ? ['slow-fdatasync']
            : msg.includes('heartbeat')
              ? ['heartbeat-late']
              : ['took-too-long'],
        reason: j % 10 === 0 ? ('finding' as const) : ('signal' as const),
      };
    });
    return { member: names[i], endpoint, lines, truncated: false, errors: [] };
  });

  for (let pad = opts.padBytes ?? 0, j = 0; pad > 0; pad -= 2000, j++) {
    const t = from + ((j * 997) % seconds) * 1000;
    logMembers[0].lines.push({
      t,
      source: 'member',
      level: 'info',
      msg: 'padding',
      raw: `${j} ${rand().toString(36)}`.padEnd(2000, 'abcdefghij'),
      signals: [],
      reason: 'context',
    });
  }

  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    id: newSnapshotId(),
    createdAt: end + 5000,
    createdBy: 'bench',
    title: `synthetic ${seconds} s of ${n} members`,
    note: 'synthetic: weights 30/20/10, etcd-3 hot',
    window: { from, to: end },
    expiresAt: null,
    importedAt: null,
    cluster: {
      name: 'prod-main',
      endpoints: endpoints.map((url, i) => ({ url, name: names[i], weight: weights[i] })),
      weighted: true,
      tls: true,
      clientCert: true,
      auth: true,
      balancer: { type: 'haproxy', backend: 'etcd' },
      logs: true,
    },
    state: {
      name: 'prod-main',
      seq: seconds,
      updatedAt: end,
      weighted: true,
      pollIntervalMs: 1000,
      historyMs: seconds * 1000,
      status: 'ok',
      score: scored.scores.requests.score,
      members,
      scores: scored.scores,
      frames,
      events,
      findings,
      resolvedFindings: [],
      checks: [{ kind: 'capacity-mismatch', state: 'firing', note: 'etcd-3 at 50 % vs 17 %' }],
      balancer: null,
      weights: null,
      sources: {
        etcd: { ok: true, error: null, lastOk: end, latencyMs: 4 },
        prometheus: { ok: true, error: null, lastOk: end, latencyMs: 12 },
        balancer: { ok: true, error: null, lastOk: end, latencyMs: 1 },
        logs: null,
        engine: { ok: true, error: null, lastOk: end, latencyMs: 20 },
      },
    },
    logs: {
      status: 'ok',
      note: null,
      members: logMembers,
      lineCount: logMembers.reduce((a, m) => a + m.lines.length, 0),
    },
  };
}

export { DIMENSION_IDS };
